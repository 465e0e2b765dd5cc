import { InvitationPreview, InvitationPreviewBody, JoinBody, JoinResponse, MeResponse } from '@secura/shared'
import { currentUser, SESSION_COOKIE } from '../plugins/auth.ts'
import { errors, NoContent, type RoutesApp } from './schemas.ts'

/** /api/auth: redeem an invitation, who am I, sign out. */
export default async function authRoutes(app: RoutesApp) {
  const { identity, invitations } = app.services
  const { limits, secureCookies, sessionTtlMs } = app.config
  const joinRateLimit = { rateLimit: { max: limits.joinsPerMin, timeWindow: 60_000 } }

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
    '/logout',
    { preHandler: app.requireUser, schema: { tags: ['auth'], response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await identity.logout(currentUser(request).session.id)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )
}
