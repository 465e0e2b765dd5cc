import { ErrorStatus } from '@secura/shared'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Metrics } from '../metrics.ts'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
  }
}

const codeOfStatus = new Map<number, string>(
  Object.entries(ErrorStatus).map(([code, status]) => [status, code]),
)

/**
 * prom-client's process and Node metrics (heap, event-loop lag, …) plus the chat's own; admin token required.
 * Registered first, so that every other plugin can report; gauges read the app when scraped.
 */
export default fp(
  async (app: FastifyInstance) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })

    new Gauge({
      name: 'secura_sockets_connected',
      help: 'Sockets connected to this instance',
      registers: [registry],
      collect() {
        this.set(app.hasDecorator('chat') ? app.chat.sockets.size : 0)
      },
    })
    new Gauge({
      name: 'secura_users_online',
      help: 'Users with at least one socket on this instance',
      registers: [registry],
      collect() {
        const users = new Set<string>()
        if (app.hasDecorator('chat'))
          for (const socket of app.chat.sockets.values()) users.add(socket.data.user.id)
        this.set(users.size)
      },
    })
    new Gauge({
      name: 'secura_presence_online_users',
      help: 'Users shown online, on every instance (the same figure on each when REDIS_URL is set)',
      registers: [registry],
      async collect() {
        if (app.hasDecorator('services')) this.set(await app.services.presence.onlineCount())
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
      help: 'Commands that failed because the database was unavailable (answered UNAVAILABLE)',
      registers: [registry],
    })
    const redisErrors = new Counter({
      name: 'secura_redis_errors_total',
      help: 'Failed Redis calls and connection errors (the instance answers from local knowledge meanwhile)',
      registers: [registry],
    })

    const sendsRefused = new Counter({
      name: 'secura_sends_refused_total',
      help: 'Sends refused with UNAVAILABLE by admission control, by bound: in_flight or standing_queue (clients retry them)',
      labelNames: ['reason'],
      registers: [registry],
    })

    const swept = new Counter({
      name: 'secura_attachments_swept_total',
      help: 'Removed by the attachment sweep, by what: unsent (uploads never sent), orphan_object (stored files no row names), empty_folder (folders a crash left empty), temp_file (left by a crashed upload)',
      labelNames: ['what'],
      registers: [registry],
    })

    const pushes = new Counter({
      name: 'secura_push_total',
      help: 'Web Push deliveries, by result: delivered, gone (the subscription was deleted), failed, dropped (queue full)',
      labelNames: ['result'],
      registers: [registry],
    })

    const metrics: Metrics = {
      registry,
      messageAccepted: (transport) => accepted.inc({ transport }),
      commandDone(transport, command, seconds, errorCode) {
        duration.observe({ transport, command }, seconds)
        if (errorCode) rejected.inc({ transport, code: errorCode })
      },
      databaseError: () => databaseErrors.inc(),
      redisError: () => redisErrors.inc(),
      sendRefused: (reason) => sendsRefused.inc({ reason }),
      attachmentsSwept: (what, count) => swept.inc({ what }, count),
      pushResult: (result) => pushes.inc({ result }),
    }
    app.decorate('metrics', metrics)

    // REST commands: timed from the request to the response, by route.
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url
      if (!route?.startsWith('/api/')) return
      // The error handler records the code it answered with; other errors (Fastify's 503 while closing) by status.
      const code =
        request.errorCode ??
        (reply.statusCode >= 400 ? (codeOfStatus.get(reply.statusCode) ?? 'INTERNAL') : undefined)
      if (code === 'UNAVAILABLE' && request.errorCode && !request.errorRaised) databaseErrors.inc()
      metrics.commandDone('http', `${request.method} ${route}`, reply.elapsedTime / 1000, code)
    })

    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      // The admin check of the auth plugin, with its throttle of wrong tokens.
      await app.requireAdmin(request, reply)
      return reply.type(registry.contentType).send(await registry.metrics())
    })
  },
  { name: 'metrics', dependencies: ['config'] },
)
