import {
  type ConversationSummary,
  type Limits,
  type MarkReadResponse,
  normalizeName,
  Room,
  type Conversation as WireConversation,
} from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { forbidden, isUniqueViolation, notFound, validation } from '../../errors.ts'
import type { Conversation } from '../../generated/prisma/client.ts'
import { type Viewer, visibleConversation } from '../access.ts'
import { type DirectoryFilter, findEventUsers } from '../directory.ts'
import { MESSAGE_COLUMNS } from '../messages/store.ts'
import { announceSystemLine, writeSystemLine } from '../messages/system-lines.ts'
import { type MessageRow, withReactions } from '../messages/wire.ts'
import { muteGuard } from '../moderation/mute.ts'
import type { Publisher } from '../ports.ts'
import type { PresenceService } from '../presence/presence.service.ts'
import { toConversation } from './wire.ts'

export interface ConversationsDeps {
  prisma: PrismaClient
  publisher: Publisher
  presence: PresenceService
  limits: Limits
}

const memberInclude = {
  include: { user: { select: { displayName: true } } },
  orderBy: { joinedAt: 'asc' },
} as const

export function createConversationsService({ prisma, publisher, presence, limits }: ConversationsDeps) {
  const assertNotMuted = muteGuard(prisma)
  /** The wire form: every member of a direct or group conversation; only the count for the lobby. */
  async function describe(conversation: Conversation): Promise<WireConversation> {
    if (conversation.kind === 'event') {
      const count = await prisma.member.count({ where: { conversationId: conversation.id } })
      return toConversation(conversation, [], count)
    }
    const members = await prisma.member.findMany({
      where: { conversationId: conversation.id },
      ...memberInclude,
    })
    return toConversation(conversation, members)
  }

  /** The given users, who must all be guests of the viewer's event. */
  async function usersOfEvent(viewer: Viewer, userIds: string[]): Promise<string[]> {
    const ids = [...new Set(userIds)].filter((id) => id !== viewer.id)
    const found = await prisma.user.count({ where: { id: { in: ids }, eventId: viewer.eventId } })
    if (found !== ids.length) throw notFound('User')
    return ids
  }

  function announce(
    conversation: WireConversation,
    event: 'conversation:created' | 'conversation:updated',
    userIds: string[],
  ) {
    if (userIds.length > 0) publisher.emit(userIds.map(Room.user), event, conversation)
  }

  return {
    describe,

    /** My conversations, newest activity first, with the last message and my unread count. */
    async list(viewer: Viewer): Promise<ConversationSummary[]> {
      const memberships = await prisma.member.findMany({
        where: { userId: viewer.id, conversation: { eventId: viewer.eventId } },
        include: { conversation: true },
      })
      const ids = memberships.map((m) => m.conversationId)
      if (ids.length === 0) return []
      // Unread = messages after my read mark, from others, not deleted: one grouped query for all, which
      // also counts those that mention me, so the count comes back whole after any reload or reconnect.
      const unread = await prisma.$queryRawUnsafe<{ conversationId: string; n: number; mentioned: number }[]>(
        `SELECT m."conversationId", count(*)::int AS n,
           count(*) FILTER (WHERE m."mentionsHere" OR $1::uuid = ANY(m.mentions))::int AS mentioned
         FROM "Message" m JOIN "Member" me ON me."conversationId" = m."conversationId" AND me."userId" = $1::uuid
         WHERE m.seq > me."lastReadSeq" AND m."senderId" <> $1::uuid AND m."deletedAt" IS NULL
         GROUP BY m."conversationId"`,
        viewer.id,
      )
      const unreadBy = new Map(unread.map((u) => [u.conversationId, Number(u.n)]))
      const mentionedBy = new Map(unread.map((u) => [u.conversationId, Number(u.mentioned)]))
      // The preview is the last message still there (a deletion at the end would otherwise read "message
      // deleted"); only a conversation whose messages are all deleted shows its last tombstone. Each side
      // walks the (conversationId, seq) index backwards, and the second runs only when the first finds none.
      const lastRows = await prisma.$queryRawUnsafe<MessageRow[]>(
        `SELECT m.* FROM unnest($1::uuid[]) AS c(id) CROSS JOIN LATERAL (
           (SELECT ${MESSAGE_COLUMNS} FROM "Message" x WHERE x."conversationId" = c.id AND x."deletedAt" IS NULL
            ORDER BY x.seq DESC LIMIT 1)
           UNION ALL
           (SELECT ${MESSAGE_COLUMNS} FROM "Message" x WHERE x."conversationId" = c.id ORDER BY x.seq DESC LIMIT 1)
           LIMIT 1
         ) m`,
        memberships.filter((m) => m.conversation.lastSeq > 0).map((m) => m.conversationId),
      )
      const lastMessages = new Map((await withReactions(prisma, lastRows)).map((m) => [m.conversationId, m]))
      const summaries = await Promise.all(
        memberships.map(async (m) => ({
          ...(await describe(m.conversation)),
          lastMessage: lastMessages.get(m.conversationId) ?? null,
          unreadCount: unreadBy.get(m.conversationId) ?? 0,
          lastReadSeq: m.lastReadSeq,
          mentionCount: mentionedBy.get(m.conversationId) ?? 0,
        })),
      )
      const activity = (c: ConversationSummary) => c.lastMessageAt ?? c.createdAt
      return summaries.sort((a, b) => activity(b).localeCompare(activity(a)))
    },

    async get(viewer: Viewer, conversationId: string): Promise<WireConversation> {
      const { conversation } = await visibleConversation(prisma, viewer, conversationId)
      return describe(conversation)
    },

    /** The one direct conversation of a pair: created on first ask, returned as it is after that. */
    async createDirect(
      viewer: Viewer,
      userId: string,
    ): Promise<{ conversation: WireConversation; created: boolean }> {
      if (userId === viewer.id) throw validation('A direct conversation needs another user')
      await usersOfEvent(viewer, [userId])
      const uniqueKey = [viewer.id, userId].sort().join(':')
      const existing = await prisma.conversation.findUnique({
        where: { eventId_uniqueKey: { eventId: viewer.eventId, uniqueKey } },
      })
      if (existing) return { conversation: await describe(existing), created: false }
      await assertNotMuted(viewer.id)
      try {
        const created = await prisma.conversation.create({
          data: {
            id: uuidv7(),
            eventId: viewer.eventId,
            kind: 'direct',
            createdById: viewer.id,
            uniqueKey,
            members: {
              create: [
                { userId: viewer.id, role: 'owner' },
                { userId, role: 'member' },
              ],
            },
          },
        })
        const conversation = await describe(created)
        announce(conversation, 'conversation:created', [viewer.id, userId])
        return { conversation, created: true }
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        // Both sides opened it at once: the other request created it.
        const raced = await prisma.conversation.findUniqueOrThrow({
          where: { eventId_uniqueKey: { eventId: viewer.eventId, uniqueKey } },
        })
        return { conversation: await describe(raced), created: false }
      }
    },

    async createGroup(viewer: Viewer, title: string, userIds: string[]): Promise<WireConversation> {
      await assertNotMuted(viewer.id)
      const others = await usersOfEvent(viewer, userIds)
      if (others.length + 1 > limits.groupMembers)
        throw validation(`A group has at most ${limits.groupMembers} members`)
      const name = normalizeName(title)
      // The group and its first line, "created", commit together.
      const { created, line } = await prisma.$transaction(async (tx) => {
        const created = await tx.conversation.create({
          data: {
            id: uuidv7(),
            eventId: viewer.eventId,
            kind: 'group',
            title: name,
            createdById: viewer.id,
            members: {
              create: [
                { userId: viewer.id, role: 'owner' },
                ...others.map((id) => ({ userId: id, role: 'member' as const })),
              ],
            },
          },
        })
        const line = await writeSystemLine(tx, created.id, {
          type: 'group-created',
          actorId: viewer.id,
          targetIds: others,
          title: name,
        })
        return { created, line }
      })
      const conversation = await describe(
        (await prisma.conversation.findUnique({ where: { id: created.id } })) ?? created,
      )
      announce(conversation, 'conversation:created', [viewer.id, ...others])
      announceSystemLine(publisher, line, others)
      return conversation
    },

    /**
     * The group's owner renames it: the title and a "renamed" line commit together; the members get
     * conversation:updated at once and the line through history and sync.
     */
    async rename(viewer: Viewer, conversationId: string, title: string): Promise<WireConversation> {
      const { conversation, member } = await visibleConversation(prisma, viewer, conversationId)
      if (conversation.kind !== 'group') throw validation('Only groups can be renamed')
      if (member.role !== 'owner') throw forbidden('Only the owner of the group can rename it')
      await assertNotMuted(viewer.id)
      const name = normalizeName(title)
      if (name === conversation.title) return describe(conversation)
      const line = await prisma.$transaction(async (tx) => {
        await tx.conversation.update({ where: { id: conversationId }, data: { title: name } })
        return writeSystemLine(tx, conversationId, {
          type: 'group-renamed',
          actorId: viewer.id,
          targetIds: [],
          title: name,
        })
      })
      const updated = await describe(
        (await prisma.conversation.findUnique({ where: { id: conversationId } }))!,
      )
      const memberIds = updated.members.map((m) => m.userId)
      announce(updated, 'conversation:updated', memberIds)
      announceSystemLine(
        publisher,
        line,
        memberIds.filter((id) => id !== viewer.id),
      )
      return updated
    },

    /** The owner adds members to a group; the newcomers get conversation:created, the rest :updated. */
    async addMembers(viewer: Viewer, conversationId: string, userIds: string[]): Promise<WireConversation> {
      const { conversation, member } = await visibleConversation(prisma, viewer, conversationId)
      if (conversation.kind !== 'group') throw validation('Members can be added to groups only')
      if (member.role !== 'owner') throw forbidden('Only the owner of the group can add members')
      await assertNotMuted(viewer.id, { ifMuted: false })
      const ids = await usersOfEvent(viewer, userIds)
      const current = await prisma.member.findMany({ where: { conversationId }, select: { userId: true } })
      const existing = new Set(current.map((m) => m.userId))
      const added = ids.filter((id) => !existing.has(id))
      if (existing.size + added.length > limits.groupMembers)
        throw validation(`A group has at most ${limits.groupMembers} members`)
      if (added.length === 0) return describe(conversation)
      const line = await prisma.$transaction(async (tx) => {
        await tx.member.createMany({
          data: added.map((userId) => ({ conversationId, userId })),
          skipDuplicates: true,
        })
        return writeSystemLine(tx, conversationId, {
          type: 'members-added',
          actorId: viewer.id,
          targetIds: added,
          title: null,
        })
      })
      const updated = await describe(
        (await prisma.conversation.findUnique({ where: { id: conversationId } }))!,
      )
      announce(updated, 'conversation:updated', [...existing])
      announce(updated, 'conversation:created', added)
      announceSystemLine(
        publisher,
        line,
        [...existing, ...added].filter((id) => id !== viewer.id),
      )
      return updated
    },

    /** The owner removes members; anyone may remove themselves (leave). Removed users' sockets leave the room. */
    async removeMembers(
      viewer: Viewer,
      conversationId: string,
      userIds: string[],
    ): Promise<WireConversation> {
      const { conversation, member } = await visibleConversation(prisma, viewer, conversationId)
      if (conversation.kind !== 'group') throw validation('Members can be removed from groups only')
      const ids = [...new Set(userIds)]
      if (member.role !== 'owner' && ids.some((id) => id !== viewer.id)) {
        throw forbidden('Only the owner of the group can remove other members')
      }
      await assertNotMuted(viewer.id, { ifMuted: false })
      const leaving = ids.length === 1 && ids[0] === viewer.id
      // The removal, the owner's heir and the line saying who went commit together.
      const { remaining, line } = await prisma.$transaction(async (tx) => {
        const gone = await tx.member.findMany({
          where: { conversationId, userId: { in: ids } },
          select: { userId: true },
        })
        if (gone.length === 0) throw notFound('Member')
        await tx.member.deleteMany({ where: { conversationId, userId: { in: ids } } })
        const remaining = await tx.member.findMany({
          where: { conversationId },
          select: { userId: true, role: true },
          orderBy: { joinedAt: 'asc' },
        })
        // A group is never left without an owner: the longest-standing member takes over.
        const heir = remaining[0]
        if (heir && !remaining.some((m) => m.role === 'owner')) {
          await tx.member.update({
            where: { conversationId_userId: { conversationId, userId: heir.userId } },
            data: { role: 'owner' },
          })
        }
        const line = await writeSystemLine(tx, conversationId, {
          type: leaving ? 'member-left' : 'member-removed',
          actorId: viewer.id,
          targetIds: gone.map((g) => g.userId),
          title: null,
        })
        return { remaining, line }
      })
      const updated = await describe(
        (await prisma.conversation.findUnique({ where: { id: conversationId } }))!,
      )
      for (const id of ids) publisher.leave(Room.user(id), Room.conversation(conversationId))
      announce(updated, 'conversation:updated', [...remaining.map((m) => m.userId), ...ids])
      announceSystemLine(
        publisher,
        line,
        remaining.map((m) => m.userId).filter((id) => id !== viewer.id),
      )
      return updated
    },

    /** Moves my read mark forward (never back, never past the last message) and tells my devices and the room. */
    async markRead(viewer: Viewer, conversationId: string, seq: number): Promise<MarkReadResponse> {
      const { conversation } = await visibleConversation(prisma, viewer, conversationId)
      const [row] = await prisma.$queryRawUnsafe<{ lastReadSeq: number; moved: boolean }[]>(
        `WITH old AS (SELECT "lastReadSeq" FROM "Member" WHERE "conversationId" = $1::uuid AND "userId" = $2::uuid)
         UPDATE "Member" m SET "lastReadSeq" = GREATEST(m."lastReadSeq", LEAST($3::int, c."lastSeq"))
         FROM "Conversation" c, old
         WHERE m."conversationId" = $1::uuid AND m."userId" = $2::uuid AND c.id = m."conversationId"
         RETURNING m."lastReadSeq", m."lastReadSeq" > old."lastReadSeq" AS moved`,
        conversation.id,
        viewer.id,
        seq,
      )
      const lastReadSeq = Number(row?.lastReadSeq ?? 0)
      const [unread] = await prisma.$queryRawUnsafe<{ n: number; mentioned: number }[]>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE "mentionsHere" OR $3::uuid = ANY(mentions))::int AS mentioned
         FROM "Message" WHERE "conversationId" = $1::uuid AND seq > $2 AND "senderId" <> $3::uuid AND "deletedAt" IS NULL`,
        conversation.id,
        lastReadSeq,
        viewer.id,
      )
      if (row?.moved) {
        // Receipts in the lobby would reach every guest for every guest's read: only my devices hear those.
        const rooms =
          conversation.kind === 'event'
            ? [Room.user(viewer.id)]
            : [Room.conversation(conversation.id), Room.user(viewer.id)]
        publisher.emit(rooms, 'conversation:read', {
          conversationId: conversation.id,
          userId: viewer.id,
          seq: lastReadSeq,
        })
      }
      return {
        conversationId: conversation.id,
        lastReadSeq,
        unreadCount: Number(unread?.n ?? 0),
        mentionCount: Number(unread?.mentioned ?? 0),
      }
    },

    /** The event's directory, by name, with presence; or, with `ids`, exactly those users of the event. */
    directory(viewer: Viewer, filter: Omit<DirectoryFilter, 'limit'> & { limit?: number | undefined }) {
      const limit = Math.min(
        filter.limit ?? (filter.ids ? limits.pageMax : limits.pageDefault),
        limits.pageMax,
      )
      return findEventUsers(prisma, presence, viewer.eventId, { ...filter, limit })
    },
  }
}

export type ConversationsService = ReturnType<typeof createConversationsService>
