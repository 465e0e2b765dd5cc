import { EventParams, GuestList, GuestsQuery } from '@secura/shared'
import { errors, type RoutesApp } from './schemas.ts'

/** /api/events/:eventId/guests: the organizer console's guest list; the admin, or an organizer of that event. */
export default async function guestRoutes(app: RoutesApp) {
  const { events } = app.services
  app.addHook('preHandler', app.requireActor)

  app.get(
    '/:eventId/guests',
    {
      schema: {
        tags: ['invitations'],
        params: EventParams,
        querystring: GuestsQuery,
        response: { 200: GuestList, ...errors },
      },
    },
    (request) => events.listGuests(request.actor!, request.params.eventId, request.query),
  )
}
