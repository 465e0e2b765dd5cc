import { Readable } from 'node:stream'
import { EventParams, EventResponse } from '@secura/shared'
import { errors, type RoutesApp } from './schemas.ts'

// A file name made of the event's id only: the name is the organizer's text, the header is not the place for it.
const download = (eventId: string, ext: string) => `attachment; filename="secura-${eventId}.${ext}"`

/** /api/events/:eventId/end and …/export: the admin, or an organizer of that event (protocol §3.4). */
export default async function eventRoutes(app: RoutesApp) {
  const { events, exports } = app.services
  app.addHook('preHandler', app.requireActor)

  app.post(
    '/:eventId/end',
    { schema: { tags: ['admin'], params: EventParams, response: { 200: EventResponse, ...errors } } },
    (request) => events.endEvent(request.actor!, request.params.eventId),
  )

  app.get(
    '/:eventId/export',
    {
      schema: {
        tags: ['admin'],
        params: EventParams,
        description: 'The event as JSON, streamed: users, and the lobby and groups with every message',
        response: errors,
      },
    },
    async (request, reply) => {
      const chunks = await exports.json(request.actor!, request.params.eventId)
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', download(request.params.eventId, 'json'))
        .header('cache-control', 'no-store')
        .send(Readable.from(chunks))
    },
  )

  app.get(
    '/:eventId/export/lobby.html',
    {
      schema: {
        tags: ['admin'],
        params: EventParams,
        description: 'A printable HTML transcript of the lobby, streamed',
        response: errors,
      },
    },
    async (request, reply) => {
      const chunks = await exports.lobbyHtml(request.actor!, request.params.eventId)
      return (
        reply
          .type('text/html; charset=utf-8')
          // Nothing in it runs or loads: its only style is inline.
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          )
          .header('cache-control', 'no-store')
          .send(Readable.from(chunks))
      )
    },
  )
}
