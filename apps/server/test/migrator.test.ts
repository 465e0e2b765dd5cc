import { afterEach, describe, expect, it } from 'vitest'
import { migrate, readMigrations } from '../src/db/migrator.ts'
import { createDatabase, type Database } from '../src/db/prisma.ts'
import { freshDatabase, onPostgres, startServer } from './helpers.ts'

const open: Database[] = []
const drops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const db of open.splice(0)) await db.close()
  for (const drop of drops.splice(0)) await drop()
})

async function database(): Promise<{ db: Database; databaseUrl?: string }> {
  const fresh = await freshDatabase()
  drops.push(fresh.drop)
  const db = await createDatabase({ databaseUrl: fresh.databaseUrl, embeddedDir: 'memory://' })
  open.push(db)
  return { db, ...(fresh.databaseUrl && { databaseUrl: fresh.databaseUrl }) }
}

const history = (db: Database) =>
  db.sql.query<{
    migration_name: string
    checksum: string
    finished_at: Date | null
    applied_steps_count: number
  }>(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  )

describe('migrator', () => {
  it('applies every migration once and records it as prisma migrate deploy does', async () => {
    const { db } = await database()
    const migrations = readMigrations()
    expect(migrations.length).toBeGreaterThan(0)
    expect(await migrate(db.sql)).toEqual(migrations.map((m) => m.name))
    expect(await migrate(db.sql)).toEqual([])
    const rows = await history(db)
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      migrations.map((m) => [m.name, m.checksum, 1]),
    )
    expect(rows.every((r) => r.finished_at !== null)).toBe(true)
  })

  it('refuses a migration edited after it was applied', async () => {
    const { db } = await database()
    const migrations = readMigrations()
    await migrate(db.sql, migrations)
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m))
    await expect(migrate(db.sql, edited)).rejects.toThrow(/changed after it was applied/)
  })

  it('a failing migration leaves neither its changes nor a history row', async () => {
    const { db } = await database()
    const broken = {
      name: '99999999999999_broken',
      sql: 'CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";',
      checksum: '0'.repeat(64),
    }
    await expect(migrate(db.sql, [...readMigrations(), broken])).rejects.toThrow(
      /99999999999999_broken failed/,
    )
    const tables = await db.sql.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`)
    expect(tables).toHaveLength(0)
    expect((await history(db)).map((r) => r.migration_name)).not.toContain(broken.name)
  })
})

describe.skipIf(!onPostgres)(
  'several instances on one Postgres (needs DATABASE_URL: skipped on the embedded database)',
  () => {
    it('two migrators starting at once on an empty database migrate it once', async () => {
      const { databaseUrl } = await database()
      const a = await createDatabase({ databaseUrl, embeddedDir: 'memory://' })
      const b = await createDatabase({ databaseUrl, embeddedDir: 'memory://' })
      open.push(a, b)
      const [appliedA, appliedB] = await Promise.all([migrate(a.sql), migrate(b.sql)])
      const names = readMigrations().map((m) => m.name)
      expect([appliedA, appliedB].sort((x, y) => y.length - x.length)).toEqual([names, []])
      expect((await history(a)).map((r) => r.migration_name)).toEqual(names)
    })

    it('two servers starting at once on an empty database both come up', async () => {
      const { databaseUrl } = await database()
      const servers = await Promise.all([startServer({}, { databaseUrl }), startServer({}, { databaseUrl })])
      try {
        for (const s of servers) expect((await s.api('GET', '/readyz')).status).toBe(200)
        const [count] = await servers[0]!.app.db.sql.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM "_prisma_migrations"',
        )
        expect(count?.n).toBe(readMigrations().length)
      } finally {
        for (const s of servers) await s.close()
      }
    })
  },
)
