// The servers under test, each started fresh as a child process of the harness and stopped after use.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, openSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Protocol } from './clients.ts'
import { inspectorUrl, memoryAfterGc } from './inspector.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BENCH = join(ROOT, 'bench')
/**
 * Which checkout's server to run: this one, or another (to compare a change against its base). A variant may
 * name its own (`BENCH_SERVER_ROOT` in its settings), so that two versions of the code run interleaved.
 */
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ?? ROOT

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0)

/**
 * How the servers run. `compiled` (the default): plain JavaScript, as the release image runs the server
 * (`node --enable-source-maps dist/server.js`, built by the server's own build.mjs), and the baselines
 * bundled the same way. `tsx`: under the TypeScript loader, as `pnpm start` runs the
 * server; the loader holds memory of its own in every process, and CPU profiles name source files.
 */
export type Runtime = 'compiled' | 'tsx'

/** Inside node_modules: ignored by git and the linters, and the baselines' packages resolve from there. */
const BUILT = join(BENCH, 'node_modules/.cache/secura-bench')

/** Builds what `compiled` runs (the server of SERVER_ROOT and of `roots`, and both baselines); nothing for `tsx`. */
export async function prepareRuntime(runtime: Runtime, roots: string[] = []): Promise<void> {
  if (runtime === 'tsx') return
  for (const root of new Set([SERVER_ROOT, ...roots])) {
    const server = join(root, 'apps/server')
    if (!existsSync(join(server, 'build.mjs')))
      throw new Error(`${server} has no build.mjs to compile the server with: run with --runtime=tsx`)
    execFileSync('node', ['build.mjs'], { cwd: server, stdio: 'ignore' })
  }
  const { build } = await import('esbuild')
  await build({
    entryPoints: ['socketio-server', 'ws-server'].map((name) => join(BENCH, 'baselines', `${name}.ts`)),
    outdir: BUILT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  })
}

export type TargetName = 'secura' | 'socketio' | 'ws'

export interface Target {
  name: TargetName
  protocol: Protocol
  url: string
  pid: number
  logFile: string
  /** RSS and heap in use after a full collection, over the inspector (the same for every target). */
  memory(): Promise<{ rss: number; heapUsed: number }>
  stop(): Promise<void>
}

export interface SecuraOptions {
  databaseUrl: string
  adminToken: string
  port: number
  env: Record<string, string>
  logFile: string
  cpuProfDir?: string
  redisUrl?: string
  runtime: Runtime
  /** The checkout whose server runs (default SERVER_ROOT). */
  root?: string
}

/** Every child gets the hard limit of open files (10,000 sockets need more than the usual 1,024). */
function spawnWithUlimit(args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a')
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  return spawn('sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`], {
    cwd,
    env,
    stdio: ['ignore', out, out, 'ipc'],
  })
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  child?: ChildProcess,
) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode})`)
    if (await check().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`)
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
}

export async function startSecura(o: SecuraOptions): Promise<Target> {
  const execArgv = ['--inspect=127.0.0.1:0']
  if (o.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`)
  const entry =
    o.runtime === 'tsx' ? ['--import', 'tsx', 'src/server.ts'] : ['--enable-source-maps', 'dist/server.js']
  const env = {
    ...process.env,
    DATABASE_URL: o.databaseUrl,
    ADMIN_TOKEN: o.adminToken,
    PORT: String(o.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${o.port}`,
    LOG_LEVEL: 'info',
    ...(o.redisUrl ? { REDIS_URL: o.redisUrl } : { REDIS_URL: '' }),
    ...o.env,
  }
  const offset = sizeOf(o.logFile)
  const child = spawnWithUlimit(
    ['node', ...execArgv, ...entry],
    join(o.root ?? SERVER_ROOT, 'apps/server'),
    env,
    o.logFile,
  )
  const url = `http://127.0.0.1:${o.port}`
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 'Secura Chat server', 90_000, child)
  const inspector = inspectorUrl(o.logFile, offset)
  return {
    name: 'secura',
    protocol: 'socketio',
    url,
    pid: child.pid!,
    logFile: o.logFile,
    memory: async () => memoryAfterGc(await inspector),
    stop: stopper(child),
  }
}

/** `cpuProfDir`: a V8 CPU profile of the baseline too, to set beside Secura Chat's (`--profile`). */
export async function startBaseline(
  name: 'socketio' | 'ws',
  logFile: string,
  runtime: Runtime,
  cpuProfDir?: string,
): Promise<Target> {
  const base = name === 'ws' ? 'ws-server' : 'socketio-server'
  const entry =
    runtime === 'tsx'
      ? ['--import', 'tsx', join(BENCH, 'baselines', `${base}.ts`)]
      : [join(BUILT, `${base}.mjs`)]
  const offset = sizeOf(logFile)
  const profile = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []
  const child = spawnWithUlimit(
    ['node', '--inspect=127.0.0.1:0', ...profile, ...entry],
    BENCH,
    { ...process.env, PORT: '0' },
    logFile,
  )
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: any) => resolve(m.listening))
    child.once('exit', (code) => reject(new Error(`baseline ${name} exited (${code})`)))
  })
  const url = `http://127.0.0.1:${port}`
  const inspector = inspectorUrl(logFile, offset)
  return {
    name,
    protocol: name === 'ws' ? 'ws' : 'socketio',
    url,
    pid: child.pid!,
    logFile,
    memory: async () => memoryAfterGc(await inspector),
    stop: stopper(child),
  }
}

/** A throwaway database on the local Postgres server for one bench run. */
export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `secura_bench_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

/**
 * After a bulk setup (thousands of joins, a million seeded messages): vacuumed, analyzed and checkpointed,
 * as a database in service would be, so that neither autovacuum nor a checkpoint of the setup's writes
 * runs during the measured steps (one history pass had a checkpoint of the seed's WAL running through it),
 * and the planner's statistics describe the data the steps use.
 */
export async function settleDatabase(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl })
  await c.connect()
  try {
    await c.query('VACUUM (ANALYZE)')
    await c.query('CHECKPOINT')
  } finally {
    await c.end()
  }
}

/** Postgres backends serving a database: their CPU counts toward the cost of a stored message. */
export async function backendPids(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl })
  await c.connect()
  try {
    const { rows } = await c.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    )
    return rows.map((r) => Number(r.pid))
  } finally {
    await c.end()
  }
}

/** Postgres' commit_delay for new connections to the bench database (undefined: back to the default). */
export async function setCommitDelay(databaseUrl: string, micros: string | undefined): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    if (micros === undefined) {
      await client.query(`ALTER DATABASE "${name}" RESET commit_delay`)
      await client.query(`ALTER DATABASE "${name}" RESET commit_siblings`)
    } else {
      await client.query(`ALTER DATABASE "${name}" SET commit_delay = ${Number(micros)}`)
      await client.query(`ALTER DATABASE "${name}" SET commit_siblings = 1`)
    }
  } finally {
    await client.end()
  }
}

/** Secura Chat's `secura_sends_refused_total`, by reason, from its metrics (admin token). */
export async function sendsRefused(url: string, adminToken: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`)
  const counts: Record<string, number> = {}
  for (const [, reason, n] of (await res.text()).matchAll(
    /^secura_sends_refused_total\{reason="([^"]+)"\} (\d+)$/gm,
  ))
    counts[reason!] = Number(n)
  return counts
}
