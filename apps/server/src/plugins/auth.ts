import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { forbidden, unauthorized } from '../errors.ts'
import type { Actor, Authenticated } from '../modules/identity/identity.service.ts'

export const SESSION_COOKIE = 'secura_session'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireUser / requireActor / requireAdmin. */
    actor: Actor | null
  }
  interface FastifyInstance {
    requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** The admin token or a guest session. */
    requireActor: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

/** Who a request is: from the Bearer header or the session cookie, and nothing else. */
export default fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('actor', null)
    const { identity } = app.services
    const allowedOrigins = new Set(app.config.allowedOrigins)

    async function resolve(request: FastifyRequest, allowAdmin: boolean): Promise<Actor | null> {
      const bearer = bearerToken(request)
      if (bearer !== undefined) {
        if (allowAdmin && (await app.adminKey.verify(bearer))) return { kind: 'admin' }
        const auth = await identity.authenticate(bearer)
        return auth ? userActor(auth) : null
      }
      const cookie = request.cookies[SESSION_COOKIE]
      if (!cookie) return null
      // A cookie rides along on cross-site requests too: writes must come from an allowed origin.
      if (!SAFE_METHODS.has(request.method)) {
        const origin = request.headers.origin
        if (!origin || !allowedOrigins.has(origin)) throw forbidden('Origin not allowed')
      }
      const auth = await identity.authenticate(cookie)
      return auth ? userActor(auth) : null
    }
    const userActor = (auth: Authenticated): Actor => ({ kind: 'user', ...auth })

    app.decorate('requireUser', async (request: FastifyRequest) => {
      const actor = await resolve(request, false)
      if (!actor) throw unauthorized()
      request.actor = actor
    })
    app.decorate('requireActor', async (request: FastifyRequest) => {
      const actor = await resolve(request, true)
      if (!actor) throw unauthorized()
      request.actor = actor
    })
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      const bearer = bearerToken(request)
      if (!bearer || !(await app.adminKey.verify(bearer))) throw unauthorized('The admin token is required')
      request.actor = { kind: 'admin' }
    })
  },
  { name: 'auth', dependencies: ['services', 'db'] },
)

/** The signed-in user of a request that passed requireUser. */
export function currentUser(request: FastifyRequest): Extract<Actor, { kind: 'user' }> {
  const actor = request.actor
  if (actor?.kind !== 'user') throw unauthorized()
  return actor
}
