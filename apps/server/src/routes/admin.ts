import { CreateEventBody, CreateEventResponse, EventList, IdParams } from '@secura/shared'
import { errors, NoContent, type RoutesApp } from './schemas.ts'

/** /api/admin: the operator's routes, behind the admin token. */
export default async function adminRoutes(app: RoutesApp) {
  const { events } = app.services
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
      await events.deleteEvent(request.params.id)
      return reply.status(204).send(null)
    },
  )
}
