import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { own, rssOf, sleep, waitFor } from './util.ts'

export const ROOT = resolve(import.meta.dirname, '../../..')
export const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef'

/**
 * Limits changed for the harness. Raised: protocol §7's defaults are per guest, and here a handful of
 * clients send hundreds of messages a minute each, all joining from 127.0.0.1. Lowered: LIMIT_PAGE, so
 * that a sync page holds 50 changes and a client a few seconds behind takes the "too far behind: reload
 * the latest page" path too (with the clients' maxSyncRounds of 1).
 */
export const SERVER_LIMITS: Record<string, string> = {
  LIMIT_SEND_PER_SEC: '1000',
  LIMIT_SEND_BURST: '2000',
  LIMIT_EVENTS_PER_SEC: '1000',
  LIMIT_JOINS_PER_MIN: '10000',
  LIMIT_PAGE: '50',
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** The harness killed or stopped it on purpose. */
  expected: boolean
  at: number
}

/**
 * One real server process: `node --import tsx apps/server/src/server.ts` (node itself, so the pid is the
 * server's and a signal reaches it, not a wrapper), on loopback with the given env.
 */
export class ServerProcess {
  child: ChildProcess | undefined
  readonly exits: Exit[] = []
  /** Lines of stderr, and log lines of level error or fatal (pino JSON on stdout). */
  readonly stderr: string[] = []
  readonly errorLogs: string[] = []
  private expecting = false
  private closed = false
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'secura-chaos-data-'))

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined
  }

  /** Where it keeps attachment files (DATA_DIR/files): the checks read storage there. */
  get filesDir(): string {
    return join(this.dataDir, 'files')
  }

  /** Starts the process; `env` is added for this start only (e.g. short sweep settings at the end). */
  async start(env: Record<string, string> = {}): Promise<void> {
    this.expecting = false
    if (this.closed) throw new Error(`${this.name} is torn down`)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: join(ROOT, 'apps/server'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        PUBLIC_URL: `http://127.0.0.1:${this.port}`,
        ADMIN_TOKEN,
        DATA_DIR: this.dataDir,
        LOG_LEVEL: 'warn',
        ...SERVER_LIMITS,
        ...this.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    own(child)
    this.child = child
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      let nl = out.indexOf('\n')
      while (nl >= 0) {
        const line = out.slice(0, nl)
        out = out.slice(nl + 1)
        if (/"level":(50|60)/.test(line)) this.errorLogs.push(line.slice(0, 2000))
        nl = out.indexOf('\n')
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.stderr.push(line)
    })
    child.once('exit', (code, signal) => {
      this.exits.push({ code, signal, expected: this.expecting, at: Date.now() })
    })
    await waitFor(
      `${this.name} to answer /readyz`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${this.name} exited while starting:\n${this.stderr.slice(-20).join('\n')}`)
        }
        try {
          const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) })
          return res.ok
        } catch {
          return false
        }
      },
      60_000,
      100,
    )
  }

  /** The fault: SIGKILL, no chance to clean up. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL')
  }

  /** A graceful stop: SIGTERM, and the process must exit 0 by itself. Returns the exit. */
  async terminate(timeoutMs = 20_000): Promise<Exit | undefined> {
    return this.signal('SIGTERM', timeoutMs)
  }

  /** The end of the scenario: a graceful stop, and no start after it (a scenario cut short by its limit). */
  async close(): Promise<Exit | undefined> {
    this.closed = true
    const exit = await this.terminate()
    rmSync(this.dataDir, { recursive: true, force: true })
    return exit
  }

  rss(): Promise<number | undefined> {
    return rssOf(this.pid)
  }

  /** Exits the harness did not cause, or graceful stops that did not end with code 0. */
  crashes(): string[] {
    return this.exits
      .filter((e) => !e.expected || (e.signal === null && e.code !== 0 && e.code !== null))
      .map(
        (e) => `${this.name} exited with ${e.signal ?? `code ${e.code}`}${e.expected ? '' : ' unprompted'}`,
      )
  }

  private async signal(signal: NodeJS.Signals, timeoutMs = 10_000): Promise<Exit | undefined> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined
    this.expecting = true
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill(signal)
    const timedOut = await Promise.race([exited.then(() => false), sleep(timeoutMs).then(() => true)])
    if (timedOut) {
      this.exits.push({ code: null, signal: null, expected: false, at: Date.now() })
      this.stderr.push(`${this.name} did not exit within ${timeoutMs} ms of ${signal}: killed`)
      child.kill('SIGKILL')
      await exited
    }
    return this.exits.at(-1)
  }
}
