import {
  ConversationMuteBody,
  IdParams,
  NotificationPreferences,
  PushKeyResponse,
  PushSubscribeBody,
  PushSubscriptionResponse,
  PushUnsubscribeBody,
  QuietHoursBody,
} from '@secura/shared'
import { currentUser } from '../plugins/auth.ts'
import { errors, NoContent, type RoutesApp } from './schemas.ts'

/** /api/push: this browser's Web Push subscription, bound to the session that makes it. */
export async function pushRoutes(app: RoutesApp) {
  const { push } = app.services
  app.addHook('preHandler', app.requireUser)

  app.get('/key', { schema: { tags: ['push'], response: { 200: PushKeyResponse, ...errors } } }, async () =>
    push.publicKey(),
  )
  app.post(
    '/subscriptions',
    {
      schema: {
        tags: ['push'],
        body: PushSubscribeBody,
        response: { 201: PushSubscriptionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { user, session } = currentUser(request)
      return reply.status(201).send(await push.subscribe(user, session.id, request.body))
    },
  )
  app.delete(
    '/subscriptions',
    { schema: { tags: ['push'], body: PushUnsubscribeBody, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await push.unsubscribe(currentUser(request).user, request.body.endpoint)
      return reply.status(204).send(null)
    },
  )
}

/** /api/chat/notifications and a conversation's mute: the guest's preferences, on every device of theirs. */
export async function notificationRoutes(app: RoutesApp) {
  const { push } = app.services
  app.addHook('preHandler', app.requireUser)

  app.get(
    '/notifications',
    { schema: { tags: ['push'], response: { 200: NotificationPreferences, ...errors } } },
    async (request) => push.preferences(currentUser(request).user),
  )
  app.put(
    '/notifications/quiet-hours',
    {
      schema: { tags: ['push'], body: QuietHoursBody, response: { 200: NotificationPreferences, ...errors } },
    },
    async (request) => push.setQuietHours(currentUser(request).user, request.body.quietHours),
  )
  app.put(
    '/conversations/:id/mute',
    {
      schema: {
        tags: ['push'],
        params: IdParams,
        body: ConversationMuteBody,
        response: { 200: NotificationPreferences, ...errors },
      },
    },
    async (request) => push.setMuted(currentUser(request).user, request.params.id, request.body.muted),
  )
}
