import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { fileURLToPath } from 'node:url'

const serverDir = fileURLToPath(new URL('../../apps/server/', import.meta.url))

/**
 * The real server (apps/server, run from source through tsx) as a child process: started, stopped and
 * restarted on the same port and database, its output appended to a log file.
 */
export class ServerProcess {
  private child: ChildProcess | undefined
  private readonly log: WriteStream

  constructor(
    readonly url: string,
    private readonly env: Record<string, string>,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' })
  }

  async start(): Promise<void> {
    this.log.write(`\n---- start ${new Date().toISOString()}\n`)
    // node --import tsx: one process, so stop() signals the server itself and nothing is left behind.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: serverDir,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    child.stdout?.pipe(this.log, { end: false })
    child.stderr?.pipe(this.log, { end: false })
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`the server exited (${code}) while starting; see its log`)),
      ),
    )
    await Promise.race([this.waitReady(60_000), exited])
  }

  /** SIGTERM (a graceful close), SIGKILL if it has not exited within 15 s. */
  async stop(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
    this.log.write(`---- stopped ${new Date().toISOString()}\n`)
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  async close(): Promise<void> {
    await this.stop()
    await new Promise<void>((resolve) => this.log.end(resolve))
  }

  /** Ready when the database answers too (`/readyz`), not only the process. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/readyz`)
        if (res.ok) return
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error(`the server at ${this.url} was not ready within ${timeoutMs / 1000} s`)
  }
}
