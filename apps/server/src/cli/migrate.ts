// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits.
import { loadConfig } from '../config.ts'
import { migrate } from '../db/migrator.ts'
import { createDatabase } from '../db/prisma.ts'

const config = loadConfig()
const db = await createDatabase({ databaseUrl: config.databaseUrl, embeddedDir: config.dataDir })
try {
  const applied = await migrate(db.sql)
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date')
} finally {
  await db.close()
}
