import type * as Wire from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'

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
  }
}

/** Reactions of the given messages, grouped per message and emoji, in the order they were first given. */
export async function reactionsOf(
  prisma: PrismaClient,
  messageIds: string[],
): Promise<Map<string, Wire.ReactionSummary[]>> {
  const result = new Map<string, Wire.ReactionSummary[]>()
  if (messageIds.length === 0) return result
  const rows = await prisma.reaction.findMany({
    where: { messageId: { in: messageIds } },
    orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
  })
  for (const row of rows) {
    const list = result.get(row.messageId) ?? []
    const summary = list.find((r) => r.emoji === row.emoji)
    if (summary) summary.userIds.push(row.userId)
    else list.push({ emoji: row.emoji, userIds: [row.userId] })
    result.set(row.messageId, list)
  }
  return result
}

export async function withReactions(prisma: PrismaClient, rows: MessageRow[]): Promise<Wire.Message[]> {
  const reactions = await reactionsOf(
    prisma,
    rows.map((r) => r.id),
  )
  return rows.map((row) => toMessage(row, reactions.get(row.id) ?? []))
}
