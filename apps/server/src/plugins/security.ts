import cookie from '@fastify/cookie'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'

// helmet's default value, one year.
const HSTS = 'max-age=31536000; includeSubDomains'
// Hosts a browser treats as a secure context over plain http.
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$/

/** Security headers with a strict CSP, the CORS allowlist, cookies and the rate limiter (used per route). */
export default fp(
  async (app: FastifyInstance) => {
    // helmet's middleware, made once: @fastify/helmet builds a new one for every request.
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'", ...connectOrigins(app.config.allowedOrigins)],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
      // Sent below, only where a browser takes it: over plain http from a LAN address Chromium ignores it
      // and logs an error on every page.
      crossOriginOpenerPolicy: false,
      // Sent below, and only over https: over plain http it means nothing (RFC 6797 §7.2), and a browser
      // that ever took it from a LAN address would refuse that address's plain http afterwards.
      strictTransportSecurity: false,
    })
    app.addHook('onRequest', (request, reply, done) => {
      // request.protocol is the TLS socket's, or X-Forwarded-Proto from a trusted balancer (TRUST_PROXY).
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS)
      if (request.protocol === 'https' || LOOPBACK.test(request.hostname))
        reply.header('cross-origin-opener-policy', 'same-origin')
      securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined))
    })
    await app.register(cors, {
      origin: app.config.allowedOrigins,
      credentials: true,
      // The methods the API has: the plugin's default leaves out PUT and DELETE (edits, leaving a group).
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    })
    await app.register(cookie)
    await app.register(rateLimit, {
      global: false,
      // Cluster mode: counted in Redis, so the limit holds across instances. If Redis fails, requests pass
      // (fail open): join codes are 128-bit secrets, the limit only throttles abuse, and a Redis outage must
      // not lock every guest out. Connection errors are counted in secura_redis_errors_total.
      ...(app.redis && {
        redis: app.redis.commands,
        nameSpace: `${app.redis.prefix}rate-limit:`,
        skipOnError: true,
      }),
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error('Too many requests; slow down'), {
          statusCode: 429,
          retryAfterMs: context.ttl,
        }),
    })
  },
  { name: 'security', dependencies: ['config', 'redis'] },
)

/**
 * Where the page may connect: the app's own origins and their WebSocket twins (`https://a` → `wss://a`), not
 * every `ws:` host, so injected script cannot open a socket to a server of its choosing.
 */
export function connectOrigins(origins: readonly string[]): string[] {
  return origins.flatMap((origin) => [origin, origin.replace(/^http/, 'ws')])
}
