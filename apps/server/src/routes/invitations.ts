import {
  CreateInvitationBody,
  CreateInvitationResponse,
  EventItemParams,
  EventParams,
  InvitationList,
  InvitationResponse,
  RevokeInvitationQuery,
} from '@secura/shared'
import type { FastifyInstance } from 'fastify'
import { errors } from './schemas.ts'

/** /api/events/:eventId/invitations: the admin, or an organizer of that event. */
export default async function invitationRoutes(app: FastifyInstance) {
  const { identity } = app.services
  app.addHook('preHandler', app.requireActor)

  app.post<{ Params: EventParams; Body: CreateInvitationBody }>(
    '/:eventId/invitations',
    {
      schema: {
        tags: ['invitations'],
        params: EventParams,
        body: CreateInvitationBody,
        response: { 201: CreateInvitationResponse, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await identity.createInvitation(request.actor!, request.params.eventId, request.body)),
  )

  app.get<{ Params: EventParams }>(
    '/:eventId/invitations',
    { schema: { tags: ['invitations'], params: EventParams, response: { 200: InvitationList, ...errors } } },
    (request) => identity.listInvitations(request.actor!, request.params.eventId),
  )

  app.delete<{ Params: EventItemParams; Querystring: RevokeInvitationQuery }>(
    '/:eventId/invitations/:id',
    {
      schema: {
        tags: ['invitations'],
        params: EventItemParams,
        querystring: RevokeInvitationQuery,
        response: { 200: InvitationResponse, ...errors },
      },
    },
    (request) =>
      identity.revokeInvitation(request.actor!, request.params.eventId, request.params.id, request.query),
  )
}
