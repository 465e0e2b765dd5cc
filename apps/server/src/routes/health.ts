import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.ts'

export default async function healthRoutes(app: FastifyInstance) {
  /** Alive: the process answers. */
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))

  /** Ready: the database answers too. */
  app.get('/readyz', { schema: { hide: true } }, async () => {
    try {
      await app.db.sql.query('SELECT 1')
    } catch {
      throw new AppError('UNAVAILABLE', 'The database is not reachable', undefined, 1000)
    }
    return { status: 'ready' }
  })
}
