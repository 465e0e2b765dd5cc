import type * as Wire from '@secura/shared'
import type { Conversation } from '../../generated/prisma/client.ts'

export interface MemberRow {
  userId: string
  role: 'owner' | 'member'
  joinedAt: Date
  lastReadSeq: number
  user: { displayName: string }
}

export const toConversation = (
  c: Conversation,
  members: MemberRow[],
  memberCount = members.length,
): Wire.Conversation => ({
  id: c.id,
  eventId: c.eventId,
  kind: c.kind,
  title: c.title,
  createdById: c.createdById,
  createdAt: c.createdAt.toISOString(),
  lastSeq: c.lastSeq,
  lastRev: c.lastRev,
  lastMessageAt: c.lastMessageAt ? c.lastMessageAt.toISOString() : null,
  memberCount,
  members: members.map((m) => ({
    userId: m.userId,
    displayName: m.user.displayName,
    role: m.role,
    joinedAt: m.joinedAt.toISOString(),
    lastReadSeq: m.lastReadSeq,
  })),
})
