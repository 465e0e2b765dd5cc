import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from '../generated/prisma/client.ts'

export type { PrismaClient }

/** Runs SQL straight through the driver: a multi-statement script, or one parameterized query. */
export interface SqlRunner {
  kind: 'postgres' | 'pglite'
  exec(sql: string): Promise<void>
  /** Runs a script in one transaction on one connection: all of it commits, or none of it. */
  execInTransaction(sql: string): Promise<void>
  /**
   * `name` makes it a prepared statement on Postgres (parsed and planned once per connection, not per call):
   * for the hot paths' fixed statements only. PGlite ignores it.
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<R[]>
  /**
   * Runs fn's queries in one transaction on one connection (Postgres only): committed when fn resolves,
   * rolled back when it throws. `name` as in `query`.
   */
  transaction?<T>(
    fn: (query: <R>(sql: string, params: unknown[], name?: string) => Promise<R[]>) => Promise<T>,
  ): Promise<T>
  /** Runs fn holding a lock that other processes on the same database wait for (PGlite is single-process). */
  withExclusiveLock<T>(fn: () => Promise<T>): Promise<T>
}

export interface Database {
  prisma: PrismaClient
  sql: SqlRunner
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** Postgres connection string; when absent the embedded PGlite is used. */
  databaseUrl?: string | undefined
  /** PGlite data directory, or `memory://` for a throwaway database. */
  embeddedDir: string
  poolSize?: number
  /** How long a Postgres query may go unanswered before its connection is given up (default 15 s). */
  queryTimeoutMs?: number
}

/**
 * The driver-level runner of the database a Prisma client was made for. Hot paths (a message send, a history
 * page) use it for single-statement SQL without Prisma's per-query overhead; on PGlite they stay on Prisma,
 * whose adapter serializes the one connection around interactive transactions.
 */
const runners = new WeakMap<PrismaClient, SqlRunner>()
export const postgresRunnerOf = (prisma: PrismaClient): SqlRunner | undefined => {
  const runner = runners.get(prisma)
  return runner?.kind === 'postgres' ? runner : undefined
}

// A fixed key for pg_advisory_lock: every instance migrating the same database takes the same lock.
const MIGRATION_LOCK_KEY = 72_210_553

/**
 * One SQL statement with parameters; `name` makes it a prepared statement on Postgres (see SqlRunner.query).
 * null plans it afresh for each call's values: for a statement whose best plan depends on them (search, where
 * a rare word and a word in every third message want different plans), which a prepared statement's generic
 * plan, made once for any value, would not follow.
 */
export type Query = <R>(name: string | null, text: string, params: unknown[]) => Promise<R[]>

/** Plain SQL for the hot paths: through pg on Postgres, through Prisma on the embedded PGlite. */
export function rawQuery(prisma: PrismaClient): Query {
  const runner = postgresRunnerOf(prisma)
  if (runner) return (name, text, params) => runner.query(text, params, name ?? undefined)
  return (_name, text, params) => prisma.$queryRawUnsafe(text, ...params)
}

/**
 * Runs fn's statements in one transaction: through pg on one connection on Postgres, through Prisma's
 * interactive transaction on the embedded PGlite. Committed when fn resolves, rolled back when it throws.
 */
export function rawTransaction(prisma: PrismaClient) {
  const runner = postgresRunnerOf(prisma)
  return <T>(fn: (query: Query) => Promise<T>): Promise<T> =>
    runner?.transaction
      ? runner.transaction((q) => fn((name, text, params) => q(text, params, name ?? undefined)))
      : prisma.$transaction((tx) => fn((_name, text, params) => tx.$queryRawUnsafe(text, ...params)))
}

/** The one place a Prisma client is created: Postgres through @prisma/adapter-pg, else embedded PGlite. */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? createPostgres(options.databaseUrl, options.poolSize ?? 10, options.queryTimeoutMs ?? 15_000)
    : createEmbedded(options.embeddedDir)
}

/**
 * Gives a pg client's queries a deadline: a database that stops answering without closing connections must
 * not hang commands forever. pg's own `query_timeout` does that too, but with it every query's rows lived
 * long enough to be promoted to V8's old generation, and young-generation pauses grew several times longer
 * under load; so did they with a wrapper written with rest and spread
 * parameters. This one, with explicit parameters and a timer that holds only the client, keeps them young.
 * At the deadline it closes the connection, which fails the query (and any queued behind it) with
 * "Connection terminated", and the pool replaces the client.
 */
function withDeadline(client: pg.PoolClient, timeoutMs: number) {
  type Callback = (error: unknown, result: unknown) => void
  type Query = (config: unknown, values?: unknown, callback?: unknown) => Promise<unknown>
  const query = client.query.bind(client) as unknown as Query
  const deadlined: Query = (config, values, callback) => {
    // A Submittable (a cursor) reads at its caller's pace: no deadline.
    if (typeof (config as { submit?: unknown })?.submit === 'function') return query(config, values, callback)
    const timer = setTimeout(expire, timeoutMs, client)
    const done = () => clearTimeout(timer)
    // query(config, callback) or query(config, values, callback); without a callback, a promise.
    const answer = (typeof values === 'function' ? values : callback) as Callback | undefined
    if (typeof answer !== 'function') return query(config, values).finally(done)
    return query(config, answer === values ? undefined : values, (error: unknown, result: unknown) => {
      done()
      answer(error, result)
    })
  }
  client.query = deadlined as unknown as typeof client.query
}

const expire = (client: pg.PoolClient) => client.connection.stream.destroy()

function createPostgres(connectionString: string, max: number, queryTimeoutMs: number): Database {
  // Connections once opened are kept (min = max): a new one costs a backend start and re-preparing the hot
  // statements, tens of milliseconds that showed as the slowest reads of the history benchmark.
  const pool = new pg.Pool({
    connectionString,
    max,
    min: max,
    connectionTimeoutMillis: 5000,
  })
  pool.on('connect', (client) => withDeadline(client, queryTimeoutMs))
  // An idle client losing its connection (database restart) must not crash the process: the pool replaces it.
  pool.on('error', () => {})
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
  const sql: SqlRunner = {
    kind: 'postgres',
    async exec(text) {
      await pool.query(text)
    },
    async execInTransaction(text) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(text)
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(async (text, params, name) => {
          const values = params as unknown[]
          return (await client.query(name ? { name, text, values } : { text, values })).rows
        })
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    async query(text, params, name) {
      return (
        await pool.query(
          name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] },
        )
      ).rows
    },
    async withExclusiveLock(fn) {
      const client = await pool.connect()
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
        try {
          return await fn()
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        }
      } finally {
        client.release()
      }
    },
  }
  runners.set(prisma, sql)
  return {
    prisma,
    sql,
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

/**
 * An empty cluster as PGlite's initdb leaves it, kept after the first in-memory database of the process:
 * later ones load it instead of running initdb again (seconds each, most of an in-memory start; the test
 * suites start one per server). Only for `memory://`: a data directory on disk is initialized once anyway.
 */
let emptyCluster: Promise<Blob> | undefined

async function openEmbedded(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) return PGlite.create(dataDir)
  const template = emptyCluster
  if (template) {
    const loaded = await template.catch(() => undefined)
    if (loaded) return PGlite.create(dataDir, { loadDataDir: loaded })
  }
  const db = await PGlite.create(dataDir)
  // Dumped before anything is written: every database made from it starts as empty as this one did.
  const dump = db.dumpDataDir('none')
  emptyCluster ??= dump
  await dump
  return db
}

async function createEmbedded(dir: string): Promise<Database> {
  let dataDir = dir
  if (!dir.startsWith('memory://')) {
    mkdirSync(dir, { recursive: true })
    dataDir = join(dir, 'pglite')
  }
  const db = await openEmbedded(dataDir)
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) })
  const sql: SqlRunner = {
    kind: 'pglite',
    async exec(text) {
      await db.exec(text)
    },
    async execInTransaction(text) {
      await db.transaction((tx) => tx.exec(text))
    },
    async query(text, params) {
      return (await db.query(text, params as unknown[])).rows as never
    },
    withExclusiveLock: (fn) => fn(),
  }
  return {
    prisma,
    sql,
    async close() {
      await prisma.$disconnect()
      await db.close()
    },
  }
}
