import {
  DeviceLinkResponse,
  InvitationPreview,
  InvitationPreviewBody,
  JoinBody,
  JoinResponse,
  MeResponse,
} from '@secura/shared'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import { currentUser, SESSION_COOKIE } from '../plugins/auth.ts'
import { errors, NoContent, type RoutesApp } from './schemas.ts'

/** /api/auth: redeem an invitation, who am I, sign out. */
export default async function authRoutes(app: RoutesApp) {
  const { identity, invitations } = app.services
  const { limits, secureCookies, sessionTtlMs, joinsPerMinTotal } = app.config
  const joinRateLimit = { rateLimit: { max: limits.joinsPerMin, timeWindow: 60_000 } }
  // Beside the per-address limit, one for every address together: joins from many addresses at once cannot
  // create guests faster than this. One key for the whole server, in Redis when clustered.
  const countJoin = app.createRateLimit({
    max: joinsPerMinTotal,
    timeWindow: 60_000,
    keyGenerator: () => 'joins-total',
  })
  // After the per-address limit (onRequest): a refused address does not use up everyone's allowance.
  const joinCeiling = async (request: FastifyRequest) => {
    const result = await countJoin(request)
    if (!result.isAllowed && result.isExceeded)
      throw new AppError(
        'RATE_LIMITED',
        'Too many guests are joining right now; try again shortly',
        undefined,
        result.ttl,
      )
  }

  app.post(
    '/invitation',
    {
      config: joinRateLimit,
      schema: {
        tags: ['auth'],
        body: InvitationPreviewBody,
        response: { 200: InvitationPreview, ...errors },
      },
    },
    (request) => invitations.previewInvitation(request.body.code),
  )

  app.post(
    '/join',
    {
      config: joinRateLimit,
      preHandler: joinCeiling,
      schema: { tags: ['auth'], body: JoinBody, response: { 200: JoinResponse, ...errors } },
    },
    async (request, reply) => {
      const result = await identity.join(request.body.code, request.body.displayName)
      reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        maxAge: Math.floor(sessionTtlMs / 1000),
      })
      return result
    },
  )

  app.get(
    '/me',
    { preHandler: app.requireUser, schema: { tags: ['auth'], response: { 200: MeResponse, ...errors } } },
    (request) => identity.me(currentUser(request).user.id),
  )

  app.post(
    '/device',
    {
      preHandler: app.requireUser,
      schema: { tags: ['auth'], response: { 201: DeviceLinkResponse, ...errors } },
    },
    async (request, reply) => reply.status(201).send(await invitations.deviceLink(currentUser(request).user)),
  )

  app.post(
    '/logout',
    { preHandler: app.requireUser, schema: { tags: ['auth'], response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await identity.logout(currentUser(request).session.id)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )
}
