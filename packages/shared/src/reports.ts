import { type Static, Type } from 'typebox'
import { Attachment } from './attachments.ts'
import { MUTE_MAX_MINUTES } from './moderation.ts'
import { DateTime, Id, Nullable } from './primitives.ts'

/** Reports (protocol §3.2): a guest reports a message with a reason; organizers and moderators work the queue. */

export const ReportReason = Type.String({ minLength: 1, maxLength: 200 })
export const ReportBody = Type.Object({ reason: ReportReason })
export type ReportBody = Static<typeof ReportBody>
export const ReportInput = Type.Object({ messageId: Id, reason: ReportReason })
export type ReportInput = Static<typeof ReportInput>

/** What the reporter gets back: that it is recorded (reporting the same message again answers the same). */
export const ReportReceipt = Type.Object(
  { id: Id, messageId: Id, reason: Type.String(), createdAt: DateTime },
  { $id: 'ReportReceipt' },
)
export type ReportReceipt = Static<typeof ReportReceipt>

/** One open report in the organizers' queue, with the message as it is now. */
export const ReportItem = Type.Object(
  {
    id: Id,
    messageId: Id,
    conversationId: Id,
    content: Type.String(),
    /** The message's photos and files (left out when none; gone once it is deleted). */
    attachments: Type.Optional(Type.Array(Attachment)),
    deleted: Type.Boolean(),
    authorId: Id,
    authorName: Type.String(),
    reporterId: Id,
    reporterName: Type.String(),
    reason: Type.String(),
    createdAt: DateTime,
  },
  { $id: 'ReportItem' },
)
export type ReportItem = Static<typeof ReportItem>
export const ReportQueue = Type.Object({ reports: Type.Array(ReportItem) })
export type ReportQueue = Static<typeof ReportQueue>

export const ReportResolution = Type.Union([
  Type.Literal('dismiss'),
  Type.Literal('delete'),
  Type.Literal('mute'),
  Type.Literal('remove'),
])
export type ReportResolution = Static<typeof ReportResolution>
/** `mute` takes `minutes` (default 60). Every open report of the same message is resolved with it. */
export const ResolveReportBody = Type.Object({
  action: ReportResolution,
  minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MUTE_MAX_MINUTES })),
})
export type ResolveReportBody = Static<typeof ResolveReportBody>
export const ResolveReportResponse = Type.Object({
  /** How many open reports of that message this resolved. */
  resolved: Type.Integer({ minimum: 0 }),
  resolution: ReportResolution,
  deletedAt: Nullable(DateTime),
})
export type ResolveReportResponse = Static<typeof ResolveReportResponse>
export const ReportParams = Type.Object({ eventId: Id, id: Id })
