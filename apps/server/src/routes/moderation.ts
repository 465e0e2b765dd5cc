import {
  EventItemParams,
  EventParams,
  ModerationActionResponse,
  ModerationLog,
  MuteBody,
  RemoveBody,
  ReportQueue,
  ResolveReportBody,
  ResolveReportResponse,
  RoleBody,
} from '@secura/shared'
import type { Moderator } from '../modules/moderation/moderation.service.ts'
import { errors, type RoutesApp } from './schemas.ts'

/** /api/events/:eventId/guests/:id/… and …/moderation: the admin, or an organizer or moderator of that event. */
export default async function moderationRoutes(app: RoutesApp) {
  const { moderation, reports } = app.services
  app.addHook('preHandler', app.requireActor)
  const actorOf = (request: { actor: unknown }) => request.actor as Moderator
  const base = {
    tags: ['moderation'],
    params: EventItemParams,
    response: { 200: ModerationActionResponse, ...errors },
  }

  app.post('/:eventId/guests/:id/mute', { schema: { ...base, body: MuteBody } }, async (request) => {
    const { eventId, id } = request.params
    const { minutes, reason } = request.body
    return { action: await moderation.mute(actorOf(request), eventId, id, minutes, reason) }
  })
  app.post('/:eventId/guests/:id/remove', { schema: { ...base, body: RemoveBody } }, async (request) => {
    const { eventId, id } = request.params
    return { action: await moderation.remove(actorOf(request), eventId, id, request.body.reason) }
  })
  app.post('/:eventId/guests/:id/restore', { schema: base }, async (request) => {
    const { eventId, id } = request.params
    return { action: await moderation.restore(actorOf(request), eventId, id) }
  })
  app.put('/:eventId/guests/:id/role', { schema: { ...base, body: RoleBody } }, async (request) => {
    const { eventId, id } = request.params
    return { action: await moderation.setRole(actorOf(request), eventId, id, request.body.role) }
  })
  app.get(
    '/:eventId/moderation',
    { schema: { tags: ['moderation'], params: EventParams, response: { 200: ModerationLog, ...errors } } },
    (request) => moderation.log(actorOf(request), request.params.eventId),
  )

  app.get(
    '/:eventId/reports',
    { schema: { tags: ['moderation'], params: EventParams, response: { 200: ReportQueue, ...errors } } },
    (request) => reports.queue(actorOf(request), request.params.eventId),
  )
  app.post(
    '/:eventId/reports/:id/resolve',
    {
      schema: {
        tags: ['moderation'],
        params: EventItemParams,
        body: ResolveReportBody,
        response: { 200: ResolveReportResponse, ...errors },
      },
    },
    (request) => reports.resolve(actorOf(request), request.params.eventId, request.params.id, request.body),
  )
}
