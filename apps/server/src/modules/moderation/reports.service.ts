import type { ReportQueue, ReportReceipt, ResolveReportBody, ResolveReportResponse } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { conflict, isUniqueViolation, notFound, validation } from '../../errors.ts'
import type { Report } from '../../generated/prisma/client.ts'
import { type Viewer, visibleConversation } from '../access.ts'
import type { AttachmentsService } from '../attachments/attachments.service.ts'
import { tombstone } from '../messages/tombstone.ts'
import { attachmentsOf } from '../messages/wire.ts'
import type { Publisher } from '../ports.ts'
import type { ModerationService, Moderator } from './moderation.service.ts'

export interface ReportsDeps {
  prisma: PrismaClient
  publisher: Publisher
  moderation: ModerationService
  /** Deleting a reported message removes its files too. */
  attachments?: Pick<AttachmentsService, 'purge'>
}

const QUEUE_PAGE = 100
const DEFAULT_MUTE_MINUTES = 60

const receipt = (r: Report): ReportReceipt => ({
  id: r.id,
  messageId: r.messageId,
  reason: r.reason,
  createdAt: r.createdAt.toISOString(),
})

/** Reports of messages: a guest files one, organizers and moderators resolve the queue. */
export function createReportsService({ prisma, publisher, moderation, attachments }: ReportsDeps) {
  return {
    /** Files a report of a message the viewer can see (not their own); the same report twice answers the first. */
    async report(viewer: Viewer, messageId: string, reason: string, conversationId?: string) {
      const row = await prisma.message.findUnique({ where: { id: messageId } })
      if (!row || (conversationId !== undefined && row.conversationId !== conversationId))
        throw notFound('Message')
      await visibleConversation(prisma, viewer, row.conversationId).catch(() => {
        throw notFound('Message')
      })
      if (row.kind === 'system') throw validation('A system line cannot be reported')
      if (row.senderId === viewer.id) throw validation('You cannot report your own message')
      if (row.deletedAt) throw conflict('This message was already deleted')
      const text = reason.trim()
      if (!text) throw validation('Say why you report this message')
      try {
        const created = await prisma.report.create({
          data: { id: uuidv7(), eventId: viewer.eventId, messageId, reporterId: viewer.id, reason: text },
        })
        return { report: receipt(created), created: true }
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        const existing = await prisma.report.findUnique({
          where: { messageId_reporterId: { messageId, reporterId: viewer.id } },
        })
        return { report: receipt(existing!), created: false }
      }
    },

    /** The open reports of the event, oldest first, with the message and who wrote and reported it. */
    async queue(moderator: Moderator, eventId: string): Promise<ReportQueue> {
      await moderation.staff(moderator, eventId)
      const rows = await prisma.report.findMany({
        where: { eventId, resolvedAt: null },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: QUEUE_PAGE,
        include: { message: true },
      })
      const ids = [...new Set(rows.flatMap((r) => [r.reporterId, r.message.senderId]))]
      const users = await prisma.user.findMany({
        where: { id: { in: ids } },
        select: { id: true, displayName: true },
      })
      const names = new Map(users.map((u) => [u.id, u.displayName]))
      return {
        reports: rows.map((r) => ({
          id: r.id,
          messageId: r.messageId,
          conversationId: r.message.conversationId,
          content: r.message.content,
          ...attachmentsOf(r.message.attachments),
          deleted: r.message.deletedAt !== null,
          authorId: r.message.senderId,
          authorName: names.get(r.message.senderId) ?? '',
          reporterId: r.reporterId,
          reporterName: names.get(r.reporterId) ?? '',
          reason: r.reason,
          createdAt: r.createdAt.toISOString(),
        })),
      }
    },

    /**
     * Acts on a report — dismiss it, delete the message, mute or remove its author — and resolves every open
     * report of that message. The action comes first: if it is refused (an organizer's message cannot get
     * its author muted), the reports stay open.
     */
    async resolve(
      moderator: Moderator,
      eventId: string,
      reportId: string,
      { action, minutes }: ResolveReportBody,
    ): Promise<ResolveReportResponse> {
      const actor = await moderation.staff(moderator, eventId)
      const report = await prisma.report.findUnique({ where: { id: reportId }, include: { message: true } })
      if (!report || report.eventId !== eventId) throw notFound('Report')
      if (report.resolvedAt) throw conflict('This report was already resolved')
      const { message } = report
      const why = `Reported: ${report.reason}`
      let deletedAt: string | null = null
      if (action === 'delete')
        deletedAt = (await tombstone(prisma, publisher, message, actor?.id ?? null, attachments)).deletedAt
      else if (action === 'mute')
        await moderation.mute(moderator, eventId, message.senderId, minutes ?? DEFAULT_MUTE_MINUTES, why)
      else if (action === 'remove') await moderation.remove(moderator, eventId, message.senderId, why)
      const { count } = await prisma.report.updateMany({
        where: { messageId: message.id, resolvedAt: null },
        data: { resolvedAt: new Date(), resolvedById: actor?.id ?? null, resolution: action },
      })
      return { resolved: count, resolution: action, deletedAt }
    },
  }
}

export type ReportsService = ReturnType<typeof createReportsService>
