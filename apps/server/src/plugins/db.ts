import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { migrate } from '../db/migrator.ts'
import { createDatabase, type Database } from '../db/prisma.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

/** One database per process; migrated before the app accepts anything. */
export default fp(
  async (app: FastifyInstance) => {
    const db = await createDatabase({ databaseUrl: app.config.databaseUrl, embeddedDir: app.config.dataDir })
    app.addHook('onClose', () => db.close())
    const applied = await migrate(db.sql)
    if (applied.length > 0) app.log.info({ migrations: applied }, 'database migrated')
    app.decorate('db', db)
  },
  { name: 'db', dependencies: ['config'] },
)
