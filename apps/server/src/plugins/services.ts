import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
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
    const presence = createPresenceService({ prisma, publisher, graceMs: presenceGraceMs })
    const sendLimiter = memoryTokenBuckets(limits.sendPerSec, limits.sendBurst)
    app.decorate('services', {
      identity: createIdentityService({ prisma, publisher, publicUrl, sessionTtlMs }),
      access: createAccessService(prisma),
      conversations: createConversationsService({ prisma, publisher, presence, limits }),
      messages: createMessagesService({ prisma, publisher, limits, sendLimiter, typing }),
      presence,
      typing,
    })
    app.addHook('onClose', async () => {
      typing.close()
      presence.close()
    })
  },
  { name: 'services', dependencies: ['db', 'realtime'] },
)
