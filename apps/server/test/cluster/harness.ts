import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export const ADMIN_TOKEN = 'cluster-admin-token-0123456789abcdef'
const SERVER_DIR = new URL('../..', import.meta.url).pathname
export const MIGRATIONS = readdirSync(new URL('../../../../prisma/migrations', import.meta.url)).filter(
  (name) => !name.endsWith('.toml'),
)
/** The Postgres server the suite creates its databases on. */
export const POSTGRES_URL =
  process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

/** A redis-server of the test's own, on a free port, so stopping it touches nothing else. */
export interface RedisServer {
  port: number
  url: string
  /** `redis-cli shutdown nosave`: Redis goes away, with everything it held. */
  stop(): Promise<void>
  start(): Promise<void>
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      )
      for (let i = 0; i < 100; i++) {
        if (await redisCli(port, 'ping').catch(() => '')) return
        await sleep(50)
      }
      throw new Error(`redis-server on ${port} did not start`)
    },
    async stop() {
      if (!child) return
      const gone = exited(child)
      await redisCli(port, 'shutdown', 'nosave').catch(() => child?.kill('SIGKILL'))
      await gone
      child = undefined
    },
  }
  await server.start()
  return server
}

/**
 * Redis through Sentinel, all on free ports of 127.0.0.1: a master (startRedis), a replica of it, and one
 * sentinel watching the master as `name` (quorum 1: it alone may declare the master down and fail over).
 */
export interface SentinelSetup {
  master: RedisServer
  replicaPort: number
  sentinelPort: number
  name: string
  /** Asks the sentinel which address it gives out as the master now. */
  masterAddress(): Promise<string>
  stop(): Promise<void>
}

export async function startSentinel(name = 'secura'): Promise<SentinelSetup> {
  const master = await startRedis()
  // A sentinel rewrites its configuration file and a replica keeps the copy it syncs from the master:
  // both in a folder of their own, removed at the end.
  const dir = mkdtempSync(join(tmpdir(), 'secura-sentinel-'))
  const replicaPort = await freePort()
  const replica = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(replicaPort), '--save', '', '--appendonly', 'no'].concat([
      '--dir',
      dir,
      '--replicaof',
      '127.0.0.1',
      String(master.port),
    ]),
    { stdio: 'ignore' },
  )
  const sentinelPort = await freePort()
  const conf = join(dir, 'sentinel.conf')
  writeFileSync(
    conf,
    [
      'bind 127.0.0.1',
      `port ${sentinelPort}`,
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 10000`,
      '',
    ].join('\n'),
  )
  const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' })
  const masterAddress = async () =>
    (await redisCli(sentinelPort, 'sentinel', 'get-master-addr-by-name', name)).trim().split('\n').join(':')
  for (let i = 0; i < 100; i++) {
    const synced = await redisCli(replicaPort, 'info', 'replication').catch(() => '')
    const known = await masterAddress().catch(() => '')
    if (synced.includes('master_link_status:up') && known === `127.0.0.1:${master.port}`) break
    if (i === 99) throw new Error('the replica or the sentinel did not come up')
    await sleep(100)
  }
  return {
    master,
    replicaPort,
    sentinelPort,
    name,
    masterAddress,
    async stop() {
      for (const child of [sentinel, replica]) {
        const gone = exited(child)
        child.kill('SIGKILL')
        await gone
      }
      await master.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cli = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    cli.stdout.on('data', (chunk) => {
      out += chunk
    })
    cli.once('error', reject)
    cli.once('exit', (code) =>
      code === 0 && !out.startsWith('Could not connect') ? resolve(out.trim()) : reject(new Error(out)),
    )
  })
}

/** A database of the run's own on the Postgres server, dropped at the end. */
export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cluster_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

/** One server process (tsx, as `pnpm start` runs it), with its log lines kept for the test to read. */
export interface Instance {
  name: string
  port: number
  dataDir: string
  url: string
  logs: string[]
  /** Signals the process and resolves with its exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** Starts it again on the same port. */
  restart(): Promise<void>
  readonly running: boolean
}

export async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), `secura-${name}-`))
  const logs: string[] = []
  let child: ChildProcess | undefined
  const url = `http://127.0.0.1:${port}`

  async function launch() {
    // node --import tsx, not the tsx binary: one process, so that SIGKILL kills the server itself.
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: SERVER_DIR,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: 'http://localhost:3999',
        ADMIN_TOKEN,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let partial = ''
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString()
      const lines = text.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) logs.push(line)
    }
    proc.stdout?.on('data', collect)
    proc.stderr?.on('data', collect)
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`${name} exited at start:\n${logs.slice(-20).join('\n')}`)
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
      if (ready) return
      await sleep(100)
    }
    throw new Error(`${name} did not become ready:\n${logs.slice(-20).join('\n')}`)
  }

  await launch()
  return {
    name,
    port,
    dataDir,
    url,
    logs,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
    },
    async stop(signal = 'SIGTERM') {
      if (!child) return null
      const proc = child
      const code = exited(proc)
      proc.kill(signal)
      const result = await code
      child = undefined
      return result
    },
    async restart() {
      await launch()
    },
  }
}

export interface Cluster {
  redis: RedisServer
  database: { url: string; drop(): Promise<void> }
  a: Instance
  b: Instance
  instances: Instance[]
  close(): Promise<void>
}

/** Redis, a fresh database, and two server processes started at once (both migrate: one waits on the lock). */
export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const redis = await startRedis()
  const database = await createDatabase()
  const shared = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    PRESENCE_GRACE_MS: '1000',
    ...env,
  }
  const started = await Promise.allSettled([startInstance('a', shared), startInstance('b', shared)])
  const [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined))
  const close = async () => {
    for (const instance of [a, b]) await instance?.stop('SIGKILL')
    await redis.stop()
    await database.drop()
    for (const instance of [a, b]) if (instance) removeDir(instance.dataDir)
    // CLUSTER_LOG_DIR=<dir>: keep each server's log lines, for a failure in CI.
    const logDir = process.env.CLUSTER_LOG_DIR
    if (logDir) {
      mkdirSync(logDir, { recursive: true })
      const run = `${Date.now()}-${shared.REDIS_KEY_PREFIX.slice(5, -1)}`
      for (const instance of [a, b])
        if (instance)
          writeFileSync(join(logDir, `${run}-${instance.name}.log`), `${instance.logs.join('\n')}\n`)
    }
  }
  if (!a || !b) {
    await close()
    const failure = started.find((s) => s.status === 'rejected') as PromiseRejectedResult
    throw failure.reason
  }
  return { redis, database, a, b, instances: [a, b], close }
}

const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true })
