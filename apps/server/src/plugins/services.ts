import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { redisPresenceStore } from '../cluster/redis-presence-store.ts'
import { redisTokenBuckets } from '../cluster/redis-token-buckets.ts'
import { createAccessService } from '../modules/access.service.ts'
import { createConversationsService } from '../modules/conversations/conversations.service.ts'
import { createEventsService } from '../modules/events/events.service.ts'
import { createIdentityService } from '../modules/identity/identity.service.ts'
import { createInvitationsService } from '../modules/invitations/invitations.service.ts'
import { sendAdmission } from '../modules/messages/admission.ts'
import { createMessagesService } from '../modules/messages/messages.service.ts'
import { createModerationService } from '../modules/moderation/moderation.service.ts'
import { createReportsService } from '../modules/moderation/reports.service.ts'
import { createPresenceService } from '../modules/presence/presence.service.ts'
import { createTypingService } from '../modules/presence/typing.service.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'
import type { Services } from '../modules/services.ts'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
}

/** The domain services, wired to the database and to the realtime publisher. */
export default fp(
  async (app: FastifyInstance) => {
    const { prisma } = app.db
    const { publicUrl, sessionTtlMs, limits, presenceGraceMs } = app.config
    const publisher = app.publisher
    const typing = createTypingService(publisher)
    const { redis } = app
    // Cluster mode: presence and the per-user send and change limits live in Redis, shared by every instance.
    const presenceStore = redis
      ? redisPresenceStore(redis.commands, {
          prefix: redis.prefix,
          instanceId: redis.instanceId,
          graceMs: presenceGraceMs,
          failed: redis.failed,
        })
      : undefined
    if (presenceStore) redis?.membership.join(presenceStore)
    const presence = createPresenceService({
      prisma,
      publisher,
      graceMs: presenceGraceMs,
      store: presenceStore,
      onError: (err) => app.log.error({ err }, 'presence announcement failed'),
    })
    const localSendLimiter = memoryTokenBuckets(limits.sendPerSec, limits.sendBurst)
    const sendLimiter = redis
      ? redisTokenBuckets(redis.commands, {
          prefix: redis.prefix,
          name: 'send',
          perSec: limits.sendPerSec,
          burst: limits.sendBurst,
          fallback: localSendLimiter,
          failed: redis.failed,
        })
      : localSendLimiter
    const localChangeLimiter = memoryTokenBuckets(limits.changePerSec, limits.changeBurst)
    const changeLimiter = redis
      ? redisTokenBuckets(redis.commands, {
          prefix: redis.prefix,
          name: 'change',
          perSec: limits.changePerSec,
          burst: limits.changeBurst,
          fallback: localChangeLimiter,
          failed: redis.failed,
        })
      : localChangeLimiter
    const moderation = createModerationService({ prisma, publisher })
    app.decorate('services', {
      identity: createIdentityService({ prisma, publisher, sessionTtlMs }),
      events: createEventsService({ prisma, publisher, presence, pageMax: limits.pageMax }),
      invitations: createInvitationsService({ prisma, publisher, publicUrl }),
      access: createAccessService(prisma),
      conversations: createConversationsService({ prisma, publisher, presence, limits }),
      messages: createMessagesService({
        prisma,
        publisher,
        limits,
        sendLimiter,
        changeLimiter,
        typing,
        admission: sendAdmission(
          { maxInFlight: app.config.sendsInFlight, maxQueueMs: app.config.sendQueueMs },
          { onRefused: (reason) => app.metrics.sendRefused(reason) },
        ),
      }),
      presence,
      typing,
      moderation,
      reports: createReportsService({ prisma, publisher, moderation }),
    })
    app.addHook('onClose', async () => {
      typing.close()
      await presence.close()
    })
  },
  { name: 'services', dependencies: ['db', 'realtime', 'redis'] },
)
