import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))

/** The load-generator processes, driven over IPC: `all` sends one command to each and waits for every reply. */
export class Workers {
  private readonly procs: ChildProcess[]
  private nextId = 0
  private readonly waiting = new Map<number, { resolve(v: any): void; reject(e: Error): void }>()

  constructor(readonly size: number) {
    this.procs = Array.from({ length: size }, () => {
      const child = fork(WORKER, [], { cwd: BENCH_DIR, execArgv: ['--import', 'tsx'], stdio: 'inherit' })
      child.on('message', (msg: any) => {
        const waiter = this.waiting.get(msg.id)
        if (!waiter) return
        this.waiting.delete(msg.id)
        if (msg.ok) waiter.resolve(msg.result)
        else waiter.reject(new Error(`worker: ${msg.error}`))
      })
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) {
          for (const w of this.waiting.values()) w.reject(new Error(`a worker exited with code ${code}`))
          this.waiting.clear()
        }
      })
      return child
    })
  }

  pids(): number[] {
    return this.procs.map((p) => p.pid!).filter(Boolean)
  }

  one<T = any>(index: number, command: Record<string, unknown>): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.procs[index]!.send({ ...command, id })
    })
  }

  /** One command per worker: `perWorker(i)` gives worker i's command. */
  all<T = any>(perWorker: (i: number) => Record<string, unknown>): Promise<T[]> {
    return Promise.all(this.procs.map((_, i) => this.one<T>(i, perWorker(i))))
  }

  async stop() {
    await Promise.allSettled(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || !p.connected) return resolve()
            const timer = setTimeout(() => {
              p.kill('SIGKILL')
              resolve()
            }, 5000)
            p.once('exit', () => {
              clearTimeout(timer)
              resolve()
            })
            p.send({ type: 'exit', id: -1 })
          }),
      ),
    )
  }
}
