import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { unauthorized } from '../errors.ts'
import { safeEqual } from '../modules/identity/tokens.ts'
import { bearerToken } from './auth.ts'

export type Transport = 'socket' | 'http'

/** What the adapters report; the plugin turns it into Prometheus series at /metrics. */
export interface Metrics {
  messageAccepted(transport: Transport): void
  commandDone(transport: Transport, command: string, seconds: number, errorCode?: string): void
  databaseError(): void
  redisError(): void
  registry: Registry
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
  }
}

/** prom-client's process and Node metrics (heap, event-loop lag, …) plus the chat's own; admin token required. */
export default fp(
  async (app: FastifyInstance) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })

    new Gauge({
      name: 'secura_sockets_connected',
      help: 'Sockets connected to this instance',
      registers: [registry],
      collect() {
        this.set(app.chat.sockets.size)
      },
    })
    new Gauge({
      name: 'secura_users_online',
      help: 'Users with at least one socket on this instance',
      registers: [registry],
      collect() {
        const users = new Set<string>()
        for (const socket of app.chat.sockets.values()) users.add(socket.data.user.id)
        this.set(users.size)
      },
    })
    const accepted = new Counter({
      name: 'secura_messages_accepted_total',
      help: 'Messages stored (replays excluded), by transport',
      labelNames: ['transport'],
      registers: [registry],
    })
    const duration = new Histogram({
      name: 'secura_command_duration_seconds',
      help: 'Time from receiving a command to its ack or response, by transport and command',
      labelNames: ['transport', 'command'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    })
    const rejected = new Counter({
      name: 'secura_commands_rejected_total',
      help: 'Commands answered with an error, by transport and error code (RATE_LIMITED among them)',
      labelNames: ['transport', 'code'],
      registers: [registry],
    })
    const databaseErrors = new Counter({
      name: 'secura_database_errors_total',
      help: 'Commands that failed because the database was unavailable',
      registers: [registry],
    })
    const redisErrors = new Counter({
      name: 'secura_redis_errors_total',
      help: 'Errors reported by the Redis connections',
      registers: [registry],
    })

    const metrics: Metrics = {
      registry,
      messageAccepted: (transport) => accepted.inc({ transport }),
      commandDone(transport, command, seconds, errorCode) {
        duration.observe({ transport, command }, seconds)
        if (errorCode) rejected.inc({ transport, code: errorCode })
        if (errorCode === 'UNAVAILABLE') databaseErrors.inc()
      },
      databaseError: () => databaseErrors.inc(),
      redisError: () => redisErrors.inc(),
    }
    app.decorate('metrics', metrics)

    // REST commands: timed from the request to the response, by route.
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url
      if (!route?.startsWith('/api/')) return
      const code =
        reply.statusCode >= 400
          ? reply.statusCode >= 500 && reply.statusCode !== 503
            ? 'INTERNAL'
            : String(reply.statusCode)
          : undefined
      metrics.commandDone('http', `${request.method} ${route}`, reply.elapsedTime / 1000, code)
    })

    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const token = bearerToken(request)
      if (!token || !safeEqual(token, app.config.adminToken))
        throw unauthorized('The admin token is required')
      return reply.type(registry.contentType).send(await registry.metrics())
    })
  },
  { name: 'metrics', dependencies: ['realtime'] },
)
