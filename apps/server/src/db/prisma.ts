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

/** One SQL statement with parameters; `name` makes it a prepared statement on Postgres (see SqlRunner.query). */
export type Query = <R>(name: string, text: string, params: unknown[]) => Promise<R[]>

/** Plain SQL for the hot paths: through pg on Postgres, through Prisma on the embedded PGlite. */
export function rawQuery(prisma: PrismaClient): Query {
  const runner = postgresRunnerOf(prisma)
  if (runner) return (name, text, params) => runner.query(text, params, name)
  return (_name, text, params) => prisma.$queryRawUnsafe(text, ...params)
}

/** The one place a Prisma client is created: Postgres through @prisma/adapter-pg, else embedded PGlite. */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? createPostgres(options.databaseUrl, options.poolSize ?? 10)
    : createEmbedded(options.embeddedDir)
}

function createPostgres(connectionString: string, max: number): Database {
  // A database that stops answering without closing connections must not hang commands forever.
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5000, query_timeout: 15_000 })
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

async function createEmbedded(dir: string): Promise<Database> {
  let dataDir = dir
  if (!dir.startsWith('memory://')) {
    mkdirSync(dir, { recursive: true })
    dataDir = join(dir, 'pglite')
  }
  const db = await PGlite.create(dataDir)
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
