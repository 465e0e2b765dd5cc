import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import type { LocalMessage } from '@secura/chat-client'
import { own } from '../infra/util.ts'
import type { FromChild, RemoteState, ToChild } from './child.ts'
import type { ClientSpec } from './client.ts'

/** The parent's handle on a client running in a child process (child.ts). */
export class RemoteClient {
  private child: ChildProcess | undefined
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined

  constructor(readonly spec: ClientSpec) {}

  get pid() {
    return this.child?.pid
  }

  async start(): Promise<void> {
    const child = fork(join(import.meta.dirname, 'child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    own(child)
    this.child = child
    child.on('error', () => undefined) // a send on a closed channel: the request below reports it
    child.once('exit', (code, signal) => {
      this.exit = { code, signal }
      console.log(`  client process ${this.spec.name} exited with ${signal ?? `code ${code}`}`)
    })
    await this.request({ type: 'start', spec: this.spec }, 'started', 60_000)
  }

  /** SIGSTOP: the whole process freezes (its sockets stay open, nothing is read). */
  pause() {
    this.child?.kill('SIGSTOP')
  }

  resume() {
    this.child?.kill('SIGCONT')
  }

  async state(timeoutMs = 10_000): Promise<RemoteState & { messages: Record<string, LocalMessage[]> }> {
    const reply = await this.request({ type: 'state' }, 'state', timeoutMs)
    return (reply as Extract<FromChild, { type: 'state' }>).state as never
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGCONT')
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.send({ type: 'stop' } satisfies ToChild)
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }

  private request(message: ToChild, expect: FromChild['type'], timeoutMs: number): Promise<FromChild> {
    const child = this.child
    if (!child?.connected) return Promise.reject(new Error(`the process of ${this.spec.name} is gone`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage)
        reject(new Error(`no ${expect} from ${this.spec.name} within ${timeoutMs} ms`))
      }, timeoutMs)
      const onMessage = (reply: FromChild) => {
        if (reply.type === 'error') {
          clearTimeout(timer)
          child.off('message', onMessage)
          return reject(new Error(`${this.spec.name}: ${reply.message}`))
        }
        if (reply.type !== expect) return
        clearTimeout(timer)
        child.off('message', onMessage)
        resolve(reply)
      }
      child.on('message', onMessage)
      child.send(message)
    })
  }
}
