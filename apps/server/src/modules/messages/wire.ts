import type * as Wire from '@secura/shared'
import { type PrismaClient, postgresRunnerOf } from '../../db/prisma.ts'

/** A message row as the database returns it (Prisma model or raw SQL row with the same columns). */
export interface MessageRow {
  id: string
  conversationId: string
  seq: number
  rev: number
  senderId: string
  clientMessageId: string
  content: string
  replyToId: string | null
  createdAt: Date
  editedAt: Date | null
  deletedAt: Date | null
  deletedBy: string | null
  /** The attachments' wire form, as written with the message (a string from drivers that do not parse JSON). */
  attachments?: unknown
  mentions?: string[] | null
  mentionsHere?: boolean
  /** A system line's structured form (a string from drivers that do not parse JSON); null on a user's message. */
  system?: unknown
  announcement?: boolean
  pinnedAt?: Date | null
  pinnedBy?: string | null
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

export function toMessage(row: MessageRow, reactions: Wire.ReactionSummary[] = []): Wire.Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: Number(row.seq),
    rev: Number(row.rev),
    senderId: row.senderId,
    clientMessageId: row.clientMessageId,
    content: row.content,
    replyToId: row.replyToId,
    timestamp: new Date(row.createdAt).toISOString(),
    editedAt: iso(row.editedAt),
    deletedAt: iso(row.deletedAt),
    deletedBy: row.deletedBy,
    reactions,
    ...attachmentsOf(row.attachments),
    // Left out when none: the wire stays as it was for the messages that mention nobody.
    ...(row.mentions && row.mentions.length > 0 ? { mentions: row.mentions } : {}),
    ...(row.mentionsHere ? { mentionsHere: true as const } : {}),
    ...systemOf(row.system),
    ...(row.announcement ? { announcement: true as const } : {}),
    ...(row.pinnedAt && row.pinnedBy
      ? { pinnedAt: new Date(row.pinnedAt).toISOString(), pinnedBy: row.pinnedBy }
      : {}),
  }
}

function systemOf(stored: unknown): { system?: Wire.SystemLine } {
  if (stored === null || stored === undefined) return {}
  return { system: (typeof stored === 'string' ? JSON.parse(stored) : stored) as Wire.SystemLine }
}

export function attachmentsOf(stored: unknown): { attachments?: Wire.Attachment[] } {
  const list = typeof stored === 'string' ? JSON.parse(stored) : stored
  return Array.isArray(list) && list.length > 0 ? { attachments: list as Wire.Attachment[] } : {}
}

/** Reactions of the given messages, grouped per message and emoji, in the order they were first given. */
export async function reactionsOf(
  prisma: PrismaClient,
  messageIds: string[],
): Promise<Map<string, Wire.ReactionSummary[]>> {
  const result = new Map<string, Wire.ReactionSummary[]>()
  if (messageIds.length === 0) return result
  const runner = postgresRunnerOf(prisma)
  const rows = runner
    ? await runner.query<{ messageId: string; userId: string; emoji: string }>(
        `SELECT "messageId", "userId", emoji FROM "Reaction" WHERE "messageId" = ANY($1::uuid[]) ORDER BY "createdAt", "userId"`,
        [messageIds],
      )
    : await prisma.reaction.findMany({
        where: { messageId: { in: messageIds } },
        orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
      })
  const pairs = new Map<string, [string, string][]>()
  for (const row of rows) {
    const list = pairs.get(row.messageId) ?? []
    list.push([row.emoji, row.userId])
    pairs.set(row.messageId, list)
  }
  for (const [messageId, list] of pairs) result.set(messageId, summarize(list))
  return result
}

export async function withReactions(prisma: PrismaClient, rows: MessageRow[]): Promise<Wire.Message[]> {
  const reactions = await reactionsOf(
    prisma,
    rows.map((r) => r.id),
  )
  return rows.map((row) => toMessage(row, reactions.get(row.id) ?? []))
}

/** Groups [emoji, userId] pairs (oldest first) per emoji, in the order each emoji was first given. */
export function summarize(pairs: Iterable<readonly [string, string]>): Wire.ReactionSummary[] {
  const list: Wire.ReactionSummary[] = []
  for (const [emoji, userId] of pairs) {
    const summary = list.find((r) => r.emoji === emoji)
    if (summary) summary.userIds.push(userId)
    else list.push({ emoji, userIds: [userId] })
  }
  return list
}
