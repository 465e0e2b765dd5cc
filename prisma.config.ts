import { defineConfig } from 'prisma/config'

// The server applies prisma/migrations itself (apps/server/src/db/migrator.ts); this file serves `prisma generate`
// and lets `prisma migrate deploy` take over the same history where its engine can run.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/secura' },
})
