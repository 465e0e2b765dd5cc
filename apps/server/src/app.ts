import type { Server } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from './config.ts'
import { loggerOptions, RequestLog } from './logger.ts'
import auth from './plugins/auth.ts'
import chatSocket from './plugins/chat-socket.ts'
import db from './plugins/db.ts'
import docs from './plugins/docs.ts'
import errors, { clientErrorHandler, frameworkErrors } from './plugins/errors.ts'
import metrics from './plugins/metrics.ts'
import realtime from './plugins/realtime.ts'
import redis from './plugins/redis.ts'
import security from './plugins/security.ts'
import services from './plugins/services.ts'
import validation from './plugins/validation.ts'
import web from './plugins/web.ts'
import adminRoutes from './routes/admin.ts'
import attachmentRoutes from './routes/attachments.ts'
import authRoutes from './routes/auth.ts'
import chatRoutes from './routes/chat.ts'
import eventRoutes from './routes/events.ts'
import guestRoutes from './routes/guests.ts'
import healthRoutes from './routes/health.ts'
import invitationRoutes from './routes/invitations.ts'
import moderationRoutes from './routes/moderation.ts'
import { notificationRoutes, pushRoutes } from './routes/push.ts'
import reportRoutes from './routes/reports.ts'
import tlsRoutes from './routes/tls.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface BuildOptions {
  /** Log to stdout at config.logLevel (default), or not at all. */
  logger?: boolean
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: NodeJS.WritableStream
}

/** The whole app, in three stages: external plugins, the app's own plugins, routes. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.logLevel, options.logStream),
    bodyLimit: config.limits.packetBytes,
    trustProxy: config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    logController: new RequestLog(),
    // TLS_CERT/TLS_KEY or `--https`: the server speaks https itself (an https.Server under the same API).
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key } }),
    // Requests refused before routing still answer in the shared error shape.
    frameworkErrors,
    clientErrorHandler,
  } as FastifyHttpOptions<Server>).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(
    fp(
      async (a) => {
        a.decorate('config', config)
      },
      { name: 'config' },
    ),
  )

  // 1. external plugins (and what they report to or keep state in: metrics, then Redis in cluster mode)
  await app.register(metrics)
  await app.register(redis)
  await app.register(errors)
  await app.register(validation)
  await app.register(security)
  await app.register(docs)

  // 2. the app's own plugins
  await app.register(db)
  await app.register(realtime)
  await app.register(services)
  await app.register(auth)
  await app.register(chatSocket)

  // 3. routes
  await app.register(healthRoutes)
  await app.register(tlsRoutes)
  await app.register(adminRoutes, { prefix: '/api/admin' })
  await app.register(invitationRoutes, { prefix: '/api/events' })
  await app.register(guestRoutes, { prefix: '/api/events' })
  await app.register(moderationRoutes, { prefix: '/api/events' })
  await app.register(eventRoutes, { prefix: '/api/events' })
  await app.register(authRoutes, { prefix: '/api/auth' })
  await app.register(chatRoutes, { prefix: '/api/chat' })
  await app.register(attachmentRoutes, { prefix: '/api' })
  await app.register(reportRoutes, { prefix: '/api/chat' })
  await app.register(pushRoutes, { prefix: '/api/push' })
  await app.register(notificationRoutes, { prefix: '/api/chat' })
  await app.register(web)

  return app
}
