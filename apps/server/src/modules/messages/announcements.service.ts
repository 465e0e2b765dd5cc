import {
  type AnnouncementDismissed,
  type AnnouncementList,
  type Message,
  PINS_MAX,
  type PinnedList,
  Room,
} from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import { conflict, forbidden, notFound, validation } from '../../errors.ts'
import { type Viewer, visibleConversation } from '../access.ts'
import type { Publisher } from '../ports.ts'
import { enforce, type RateLimiter } from '../rate-limit.ts'
import { revise } from './revise.ts'
import { M_COLUMNS, REACTIONS, type RowWithReactions } from './store.ts'
import { summarize, toMessage, withReactions } from './wire.ts'

export interface AnnouncementsDeps {
  prisma: PrismaClient
  publisher: Publisher
  /** Pins count as changes: the same bucket as edits and reactions. */
  changeLimiter: RateLimiter
}

const withPairs = ({ reactionPairs, ...row }: RowWithReactions) =>
  toMessage(row, summarize(reactionPairs ?? []))

/** Announcements listed at the top of the lobby at most; older ones stay in its history. */
const ANNOUNCEMENTS_SHOWN = 20

/**
 * Who may post an announcement in the event's lobby: organizers, and moderators when the event lets them.
 * The role is read afresh, so a guest demoted a moment ago (or a stale socket) gains nothing.
 */
export async function assertMayAnnounce(prisma: PrismaClient, viewer: Viewer, conversationId: string) {
  const { conversation } = await visibleConversation(prisma, viewer, conversationId)
  if (conversation.kind !== 'event') throw validation('Announcements are posted in the event lobby only')
  const user = await prisma.user.findUnique({
    where: { id: viewer.id },
    select: { role: true, event: { select: { moderatorsAnnounce: true } } },
  })
  if (user?.role === 'organizer') return
  if (user?.role === 'moderator' && user.event.moderatorsAnnounce) return
  throw forbidden(
    user?.role === 'moderator'
      ? 'The organizers have not allowed moderators to post announcements'
      : 'Only organizers can post announcements',
  )
}

/**
 * Pins (any message, by organizers and moderators) and the per-user dismissal of lobby announcements. A pin
 * or an unpin takes a new rev for the message, so `sync` brings it to a client that was away.
 */
export function createAnnouncementsService(deps: AnnouncementsDeps) {
  const { prisma, publisher, changeLimiter } = deps

  async function visibleMessage(viewer: Viewer, messageId: string, conversationId?: string) {
    const row = await prisma.message.findUnique({ where: { id: messageId } })
    if (!row || (conversationId !== undefined && row.conversationId !== conversationId))
      throw notFound('Message')
    try {
      await visibleConversation(prisma, viewer, row.conversationId)
    } catch {
      throw notFound('Message')
    }
    return row
  }

  async function setPin(viewer: Viewer, messageId: string, pinned: boolean, conversationId?: string) {
    await enforce(changeLimiter, viewer.id, 'edits and reactions')
    const row = await visibleMessage(viewer, messageId, conversationId)
    const actor = await prisma.user.findUnique({ where: { id: viewer.id }, select: { role: true } })
    if (!actor || actor.role === 'guest') throw forbidden('Only organizers and moderators can pin messages')
    if (row.deletedAt) throw conflict('A deleted message cannot be pinned')
    if (pinned && !row.pinnedAt) {
      const count = await prisma.message.count({
        where: { conversationId: row.conversationId, pinnedAt: { not: null } },
      })
      if (count >= PINS_MAX)
        throw validation(`A conversation holds at most ${PINS_MAX} pinned messages: unpin one first`)
    }
    // Only a change takes a rev: pinning a pinned message (or unpinning an unpinned one) answers it as is.
    const updated = await revise(prisma, row.conversationId, row.id, {
      set: pinned ? `"pinnedAt" = now(), "pinnedBy" = $3::uuid` : `"pinnedAt" = NULL, "pinnedBy" = NULL`,
      params: pinned ? [viewer.id] : [],
      when: `EXISTS (SELECT 1 FROM "Message" WHERE id = $2::uuid AND "deletedAt" IS NULL AND "pinnedAt" IS ${
        pinned ? 'NULL' : 'NOT NULL'
      })`,
    })
    const current = updated ?? (await prisma.message.findUnique({ where: { id: row.id } }))
    if (!current || current.deletedAt) throw conflict('A deleted message cannot be pinned')
    const [message] = await withReactions(prisma, [current])
    if (updated) {
      publisher.emit(Room.conversation(row.conversationId), 'message:pinned', {
        conversationId: row.conversationId,
        messageId: row.id,
        pinnedAt: message!.pinnedAt ?? null,
        pinnedBy: message!.pinnedBy ?? null,
        rev: message!.rev,
      })
    }
    return message!
  }

  return {
    pin: (viewer: Viewer, messageId: string, conversationId?: string): Promise<Message> =>
      setPin(viewer, messageId, true, conversationId),
    unpin: (viewer: Viewer, messageId: string, conversationId?: string): Promise<Message> =>
      setPin(viewer, messageId, false, conversationId),

    /** The conversation's pinned messages, most recently pinned first. */
    async pins(viewer: Viewer, conversationId: string): Promise<PinnedList> {
      await visibleConversation(prisma, viewer, conversationId)
      const rows = await prisma.$queryRawUnsafe<RowWithReactions[]>(
        `SELECT ${M_COLUMNS}, ${REACTIONS} FROM "Message" m
         WHERE m."conversationId" = $1::uuid AND m."pinnedAt" IS NOT NULL AND m."deletedAt" IS NULL
         ORDER BY m."pinnedAt" DESC, m.seq DESC LIMIT $2::int`,
        conversationId,
        PINS_MAX,
      )
      return { messages: rows.map(withPairs) }
    },

    /** The lobby's announcements this user has not dismissed, newest first, and the lobby's settings. */
    async announcements(viewer: Viewer): Promise<AnnouncementList> {
      const rows = await prisma.$queryRawUnsafe<RowWithReactions[]>(
        `SELECT ${M_COLUMNS}, ${REACTIONS} FROM "Message" m
         JOIN "Conversation" c ON c.id = m."conversationId"
         WHERE c."eventId" = $1::uuid AND c.kind = 'event' AND m.announcement AND m."deletedAt" IS NULL
           AND NOT EXISTS (SELECT 1 FROM "AnnouncementDismissal" d WHERE d."messageId" = m.id AND d."userId" = $2::uuid)
         ORDER BY m.seq DESC LIMIT $3::int`,
        viewer.eventId,
        viewer.id,
        ANNOUNCEMENTS_SHOWN,
      )
      const event = await prisma.event.findUnique({
        where: { id: viewer.eventId },
        select: { announcementOnly: true, moderatorsAnnounce: true },
      })
      return {
        announcements: rows.map(withPairs),
        settings: {
          announcementOnly: event?.announcementOnly === true,
          moderatorsAnnounce: event?.moderatorsAnnounce === true,
        },
      }
    },

    /** Dismisses an announcement for this user on every device; idempotent. */
    async dismiss(viewer: Viewer, messageId: string): Promise<AnnouncementDismissed> {
      const row = await visibleMessage(viewer, messageId)
      if (!row.announcement) throw validation('Only an announcement can be dismissed')
      await prisma.announcementDismissal.createMany({
        data: [{ messageId: row.id, userId: viewer.id }],
        skipDuplicates: true,
      })
      const event = { messageId: row.id }
      publisher.emit(Room.user(viewer.id), 'announcement:dismissed', event)
      return event
    },
  }
}

export type AnnouncementsService = ReturnType<typeof createAnnouncementsService>
