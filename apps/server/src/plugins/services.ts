import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { redisPresenceStore } from '../cluster/redis-presence-store.ts'
import { redisTokenBuckets } from '../cluster/redis-token-buckets.ts'
import { type AccessService, createAccessService } from '../modules/access.service.ts'
import {
  type ConversationsService,
  createConversationsService,
} from '../modules/conversations/conversations.service.ts'
import { createIdentityService, type IdentityService } from '../modules/identity/identity.service.ts'
import { createMessagesService, type MessagesService } from '../modules/messages/messages.service.ts'
import { createPresenceService, type PresenceService } from '../modules/presence/presence.service.ts'
import { createTypingService, type TypingService } from '../modules/presence/typing.service.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'

export interface Services {
  identity: IdentityService
  access: AccessService
  conversations: ConversationsService
  messages: MessagesService
  presence: PresenceService
  typing: TypingService
}

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
    app.decorate('services', {
      identity: createIdentityService({
        prisma,
        publisher,
        presence,
        publicUrl,
        sessionTtlMs,
        pageMax: limits.pageMax,
      }),
      access: createAccessService(prisma),
      conversations: createConversationsService({ prisma, publisher, presence, limits }),
      messages: createMessagesService({ prisma, publisher, limits, sendLimiter, changeLimiter, typing }),
      presence,
      typing,
    })
    app.addHook('onClose', async () => {
      typing.close()
      await presence.close()
    })
  },
  { name: 'services', dependencies: ['db', 'realtime', 'redis'] },
)
