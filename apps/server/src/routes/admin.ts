import { CreateEventBody, CreateEventResponse, EventList, EventStorage, IdParams } from '@secura/shared'
import { errors, NoContent, type RoutesApp } from './schemas.ts'

/** /api/admin: the operator's routes, behind the admin token. */
export default async function adminRoutes(app: RoutesApp) {
  const { events, attachments } = app.services
  app.addHook('preHandler', app.requireAdmin)

  app.post(
    '/events',
    { schema: { tags: ['admin'], body: CreateEventBody, response: { 201: CreateEventResponse, ...errors } } },
    async (request, reply) => reply.status(201).send(await events.createEvent(request.body)),
  )

  app.get('/events', { schema: { tags: ['admin'], response: { 200: EventList, ...errors } } }, () =>
    events.listEvents(),
  )

  app.delete(
    '/events/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      // The rows go with the event (cascade); their files are listed first and removed after the commit.
      const files = await attachments.filesOfEvent(request.params.id)
      await events.deleteEvent(request.params.id)
      await attachments
        .purge(files)
        .catch((err) => request.log.warn({ err }, 'files of a deleted event left to the sweep'))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/events/:id/storage',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: EventStorage, ...errors } } },
    (request) => attachments.eventStorage(request.params.id),
  )
}
