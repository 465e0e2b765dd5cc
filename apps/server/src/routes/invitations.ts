import {
  CreateInvitationBody,
  CreateInvitationResponse,
  EventItemParams,
  EventParams,
  InvitationList,
  InvitationResponse,
  RevokeInvitationQuery,
} from '@secura/shared'
import { errors, type RoutesApp } from './schemas.ts'

/** /api/events/:eventId/invitations: the admin, or an organizer of that event. */
export default async function invitationRoutes(app: RoutesApp) {
  const { invitations } = app.services
  app.addHook('preHandler', app.requireActor)

  app.post(
    '/:eventId/guests/:id/access',
    {
      schema: {
        tags: ['invitations'],
        params: EventItemParams,
        response: { 201: CreateInvitationResponse, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await invitations.reissueAccess(request.actor!, request.params.eventId, request.params.id)),
  )

  app.post(
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
        .send(await invitations.createInvitation(request.actor!, request.params.eventId, request.body)),
  )

  app.get(
    '/:eventId/invitations',
    { schema: { tags: ['invitations'], params: EventParams, response: { 200: InvitationList, ...errors } } },
    (request) => invitations.listInvitations(request.actor!, request.params.eventId),
  )

  app.delete(
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
      invitations.revokeInvitation(request.actor!, request.params.eventId, request.params.id, request.query),
  )
}
