import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { redisTokenBuckets } from '../cluster/redis-token-buckets.ts'
import { AppError, forbidden, unauthorized } from '../errors.ts'
import type { Actor, Authenticated } from '../modules/identity/identity.service.ts'
import { memoryTokenBuckets, type RateLimiter } from '../modules/rate-limit.ts'

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
    // Wrong admin tokens, counted per client address (across instances in cluster mode). Once an address
    // is over the limit, even the right token is refused until the wait is over: guessing learns nothing.
    const adminFailures = failureLimiter(app)
    const blockedUntil = new Map<string, number>()
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      const address = request.ip
      const now = Date.now()
      const blocked = blockedUntil.get(address)
      if (blocked !== undefined && blocked > now) throw tooManyFailures(blocked - now)
      if (blocked !== undefined) blockedUntil.delete(address)
      const bearer = bearerToken(request)
      if (!bearer || !(await app.adminKey.verify(bearer))) {
        const taken = await adminFailures.take(address)
        if (!taken.ok) {
          blockedUntil.set(address, now + taken.retryAfterMs)
          throw tooManyFailures(taken.retryAfterMs)
        }
        throw unauthorized('The admin token is required')
      }
      request.actor = { kind: 'admin' }
    })
  },
  { name: 'auth', dependencies: ['services', 'db'] },
)

const tooManyFailures = (retryAfterMs: number) =>
  new AppError('RATE_LIMITED', 'Too many wrong admin tokens from this address; wait', undefined, retryAfterMs)

function failureLimiter(app: FastifyInstance): RateLimiter {
  const perMin = app.config.limits.adminFailuresPerMin
  const local = memoryTokenBuckets(perMin / 60, perMin)
  const { redis } = app
  if (!redis) return local
  return redisTokenBuckets(redis.commands, {
    prefix: redis.prefix,
    name: 'admin-failures',
    perSec: perMin / 60,
    burst: perMin,
    fallback: local,
    failed: redis.failed,
  })
}

/** The signed-in user of a request that passed requireUser. */
export function currentUser(request: FastifyRequest): Extract<Actor, { kind: 'user' }> {
  const actor = request.actor
  if (actor?.kind !== 'user') throw unauthorized()
  return actor
}
