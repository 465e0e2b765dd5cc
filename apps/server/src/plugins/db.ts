import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { migrate } from '../db/migrator.ts'
import { createDatabase, type Database } from '../db/prisma.ts'
import { type AdminKey, ensureAdminToken } from '../modules/identity/admin-token.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    adminKey: AdminKey
    /** The admin token generated on this start, to print once (server.ts); undefined otherwise. */
    adminTokenGenerated: string | undefined
  }
}

/** One database per process; migrated, and its admin token settled, before the app accepts anything. */
export default fp(
  async (app: FastifyInstance) => {
    const db = await createDatabase({ databaseUrl: app.config.databaseUrl, embeddedDir: app.config.dataDir })
    app.addHook('onClose', () => db.close())
    const applied = await migrate(db.sql)
    if (applied.length > 0) app.log.info({ migrations: applied }, 'database migrated')
    app.decorate('db', db)
    const { key, generated } = await ensureAdminToken(db.sql, {
      envToken: app.config.adminToken,
      tokenFile: app.config.adminTokenFile,
    })
    app.decorate('adminKey', key)
    app.decorate('adminTokenGenerated', generated)
  },
  { name: 'db', dependencies: ['config'] },
)
