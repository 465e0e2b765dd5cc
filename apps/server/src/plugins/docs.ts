import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { ErrorBody } from '@secura/shared'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** OpenAPI generated from the route schemas, which are the shared protocol's schemas; UI at /docs. */
export default fp(
  async (app: FastifyInstance) => {
    app.addSchema(ErrorBody)
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Secura Chat API',
          version: '0.1.0',
          description: 'REST API of Secura Chat. Every error has the shape `{ error: { code, message } }`.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'A session token, or the admin token' },
            cookie: { type: 'apiKey', in: 'cookie', name: 'secura_session' },
          },
        },
        security: [{ bearer: [] }, { cookie: [] }],
      },
    })
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  },
  { name: 'docs' },
)
