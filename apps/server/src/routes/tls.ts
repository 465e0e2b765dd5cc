import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

/**
 * `--https`'s local certificate authority, for phones to install and trust once (docs/venue.md). Only the
 * public certificate: its key never leaves DATA_DIR/tls.
 */
export default async function tlsRoutes(app: FastifyInstance) {
  const caFile = app.config.tls?.caFile
  if (!caFile) return
  const certificate = readFileSync(caFile)
  app.get('/ca.crt', { schema: { hide: true } }, (_request, reply) =>
    reply
      .type('application/x-x509-ca-cert')
      .header('content-disposition', 'attachment; filename="secura-chat-local-ca.crt"')
      .send(certificate),
  )
}
