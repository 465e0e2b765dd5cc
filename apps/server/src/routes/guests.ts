import { Event, EventParams, EventSettingsBody, GuestList, GuestsQuery } from '@secura/shared'
import { errors, type RoutesApp } from './schemas.ts'

/**
 * /api/events/:eventId/guests and …/settings: the organizer console's guest list and the lobby's settings;
 * the admin, or an organizer of that event.
 */
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

  app.put(
    '/:eventId/settings',
    {
      schema: {
        tags: ['invitations'],
        params: EventParams,
        body: EventSettingsBody,
        response: { 200: Event, ...errors },
      },
    },
    (request) => events.updateSettings(request.actor!, request.params.eventId, request.body),
  )
}
