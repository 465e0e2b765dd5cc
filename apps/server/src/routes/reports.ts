import { MessageParams, ReportBody, ReportReceipt } from '@secura/shared'
import { currentUser } from '../plugins/auth.ts'
import { errors, type RoutesApp } from './schemas.ts'

/** /api/chat/conversations/:id/messages/:mid/report: a guest reports a message they can see. */
export default async function reportRoutes(app: RoutesApp) {
  const { reports } = app.services
  app.addHook('preHandler', app.requireUser)

  app.post(
    '/conversations/:id/messages/:mid/report',
    {
      schema: {
        tags: ['moderation'],
        params: MessageParams,
        body: ReportBody,
        response: { 200: ReportReceipt, 201: ReportReceipt, ...errors },
      },
    },
    async (request, reply) => {
      const { id, mid } = request.params
      const { report, created } = await reports.report(
        currentUser(request).user,
        mid,
        request.body.reason,
        id,
      )
      return reply.status(created ? 201 : 200).send(report)
    },
  )
}
