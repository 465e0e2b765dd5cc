import { type ChildProcess, spawn } from 'node:child_process'
import { freePort, own, run, waitFor } from './util.ts'

/** A redis-server of the harness's own on a free loopback port (never the shared one on 6379). */
export class OwnRedis {
  private child: ChildProcess | undefined
  private closed = false

  private constructor(readonly port: number) {}

  static async create(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort())
    await redis.start()
    return redis
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('redis is torn down')
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    own(child)
    this.child = child
    await waitFor('redis to answer', () => this.ping(), 10_000, 100)
  }

  /** The fault: `redis-cli shutdown nosave`. */
  async shutdown(): Promise<void> {
    const child = this.child
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() => undefined)
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          resolve()
        }, 5000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    this.child = undefined
  }

  async destroy(): Promise<void> {
    this.closed = true
    await this.shutdown()
  }

  private async ping(): Promise<boolean> {
    try {
      return (await run('redis-cli', ['-p', String(this.port), 'ping'], { timeoutMs: 2000 })).includes('PONG')
    } catch {
      return false
    }
  }
}
