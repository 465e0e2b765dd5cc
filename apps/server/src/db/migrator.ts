import { createHash, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { findUp } from '../paths.ts'
import type { SqlRunner } from './prisma.ts'

export const MIGRATIONS_DIR = findUp('prisma/migrations') ?? 'prisma/migrations'

// Exactly Prisma's table, so `prisma migrate deploy` accepts this history later.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name, 'migration.sql'))
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') }
    })
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, under an advisory lock so that
 * instances starting together migrate once. Returns the names applied by this call.
 */
export async function migrate(sql: SqlRunner, migrations = readMigrations()): Promise<string[]> {
  return sql.withExclusiveLock(async () => {
    await sql.exec(HISTORY_TABLE)
    const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    )
    const done = new Map(rows.map((r) => [r.migration_name, r]))
    const applied: string[] = []
    for (const migration of migrations) {
      const previous = done.get(migration.name)
      if (previous?.finished_at) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied (checksum differs)`)
        }
        continue
      }
      if (previous)
        throw new Error(`Migration ${migration.name} failed earlier; resolve it by hand before starting`)
      const id = randomUUID()
      // The script and its history row commit together: a failure leaves neither behind.
      await sql.execInTransaction(`${migration.sql}\n;\n${recordSql(id, migration)}`).catch((error) => {
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error })
      })
      applied.push(migration.name)
    }
    return applied
  })
}

function recordSql(id: string, m: Migration): string {
  const quote = (s: string) => `'${s.replaceAll("'", "''")}'`
  return `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
VALUES (${quote(id)}, ${quote(m.checksum)}, ${quote(m.name)}, now(), now(), 1)`
}
