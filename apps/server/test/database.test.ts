// The Postgres driver setup: queries have a deadline, and the pool outlives a connection given up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database } from '../src/db/prisma.ts'
import { toAppError } from '../src/errors.ts'
import { freshDatabase, onPostgres } from './helpers.ts'

describe.skipIf(!onPostgres)('Postgres queries with a deadline', () => {
  let db: Database
  let drop: () => Promise<void>

  beforeAll(async () => {
    const fresh = await freshDatabase()
    drop = fresh.drop
    db = await createDatabase({
      databaseUrl: fresh.databaseUrl,
      embeddedDir: 'memory://',
      queryTimeoutMs: 300,
    })
  })
  afterAll(async () => {
    await db.close()
    await drop()
  })

  // pg_sleep(60) stands for a database that stopped answering: without the deadline these tests time out.
  it('gives up a raw query past the deadline, as UNAVAILABLE, and the pool goes on', async () => {
    const error = await db.sql.query('SELECT pg_sleep(60)').catch((e: unknown) => e)
    expect(toAppError(error).code).toBe('UNAVAILABLE')
    expect(await db.sql.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
  })

  it('gives up a Prisma query past the deadline too', async () => {
    const error = await db.prisma.$queryRawUnsafe('SELECT pg_sleep(60)').catch((e: unknown) => e)
    expect(toAppError(error).code).toBe('UNAVAILABLE')
    expect(await db.prisma.$queryRawUnsafe('SELECT 2 AS two')).toEqual([{ two: 2 }])
  })

  it('answers queries that finish in time, prepared and in parallel', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => db.sql.query<{ n: number }>('SELECT $1::int AS n', [i], 'test.n')),
    )
    expect(results.map(([row]) => row!.n)).toEqual(Array.from({ length: 30 }, (_, i) => i))
  })
})
