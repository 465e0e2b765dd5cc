import type {
  Message,
  ModeratedEvent,
  ModerationAction,
  ModerationActionKind,
  ModerationLog,
} from '@secura/shared'
import { Room } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { forbidden, notFound } from '../../errors.ts'
import type { User } from '../../generated/prisma/client.ts'
import type { Viewer } from '../access.ts'
import { announceSystemLine, writeSystemLine } from '../messages/system-lines.ts'
import type { Publisher } from '../ports.ts'

/** Who acts: the operator's admin token, or a signed-in user (re-read, so a demoted moderator loses it at once). */
export type Moderator = { kind: 'admin' } | { kind: 'user'; user: Viewer }

export interface ModerationDeps {
  prisma: PrismaClient
  publisher: Publisher
}

const LOG_PAGE = 200

/**
 * The moderation toolkit: mute a guest for a while, remove them from the event, restore them, make a guest
 * a moderator (and back). Organizers and moderators moderate; only organizers change roles; only guests
 * can be muted or removed. Each action and its log entry are written in one transaction.
 */
export function createModerationService(deps: ModerationDeps) {
  const { prisma, publisher } = deps

  /** The acting user, if any; a user of another event learns nothing (NOT_FOUND). */
  async function actorOf(moderator: Moderator, eventId: string, organizerOnly: boolean) {
    const event = await prisma.event.findUnique({ where: { id: eventId }, select: { id: true } })
    if (!event || (moderator.kind === 'user' && moderator.user.eventId !== eventId)) throw notFound('Event')
    if (moderator.kind === 'admin') return null
    const actor = await prisma.user.findUnique({ where: { id: moderator.user.id } })
    if (!actor || actor.removedAt) throw notFound('Event')
    const allowed = organizerOnly ? actor.role === 'organizer' : actor.role !== 'guest'
    if (!allowed) {
      throw forbidden(
        organizerOnly ? 'Only organizers can change roles' : 'Only organizers and moderators can moderate',
      )
    }
    return actor
  }

  async function targetOf(eventId: string, userId: string, actor: User | null): Promise<User> {
    const target = await prisma.user.findUnique({ where: { id: userId } })
    if (!target || target.eventId !== eventId) throw notFound('User')
    if (actor && actor.id === target.id) throw forbidden('You cannot moderate yourself')
    return target
  }

  const onlyGuests = (target: User, what: string) => {
    if (target.role !== 'guest') throw forbidden(`Organizers and moderators cannot be ${what}`)
  }

  async function record(
    eventId: string,
    actor: User | null,
    target: User,
    action: ModerationActionKind,
    change: Partial<Pick<User, 'mutedUntil' | 'muteReason' | 'removedAt' | 'role'>>,
    extra: { reason?: string | null; until?: Date | null; role?: User['role'] | null } = {},
    /** A system line in the lobby, written in the same transaction. */
    lobbyLine?: 'guest-removed',
  ): Promise<{ entry: ModerationAction; user: User; line: Message | null }> {
    const { user, row, line } = await prisma.$transaction(async (tx) => {
      const user = await tx.user.update({ where: { id: target.id }, data: change })
      const row = await tx.moderationAction.create({
        data: {
          id: uuidv7(),
          eventId,
          actorId: actor?.id ?? null,
          targetId: target.id,
          action,
          reason: extra.reason ?? null,
          until: extra.until ?? null,
          role: extra.role ?? null,
        },
      })
      const lobby = lobbyLine
        ? await tx.conversation.findUnique({
            where: { eventId_uniqueKey: { eventId, uniqueKey: 'lobby' } },
            select: { id: true },
          })
        : null
      const line =
        lobbyLine && lobby
          ? await writeSystemLine(tx, lobby.id, {
              type: lobbyLine,
              actorId: actor?.id ?? null,
              targetIds: [target.id],
              title: null,
            })
          : null
      return { user, row, line }
    })
    const entry: ModerationAction = {
      id: row.id,
      action,
      actorId: row.actorId,
      actorName: actor?.displayName ?? null,
      targetId: target.id,
      targetName: target.displayName,
      reason: row.reason,
      until: row.until?.toISOString() ?? null,
      role: row.role,
      createdAt: row.createdAt.toISOString(),
    }
    return { entry, user, line }
  }

  /** Tells the user's own sockets their standing, so the app shows a mute at once. */
  function tell(user: User) {
    const event: ModeratedEvent = {
      userId: user.id,
      role: user.role,
      mutedUntil: user.mutedUntil && user.mutedUntil > new Date() ? user.mutedUntil.toISOString() : null,
      muteReason: user.mutedUntil && user.mutedUntil > new Date() ? user.muteReason : null,
    }
    publisher.emit(Room.user(user.id), 'user:moderated', event)
  }

  return {
    /** The acting user (null: the admin) if they may moderate the event; FORBIDDEN or NOT_FOUND otherwise. */
    staff: (moderator: Moderator, eventId: string) => actorOf(moderator, eventId, false),

    async mute(moderator: Moderator, eventId: string, userId: string, minutes: number, reason?: string) {
      const actor = await actorOf(moderator, eventId, false)
      const target = await targetOf(eventId, userId, actor)
      onlyGuests(target, 'muted')
      const until = new Date(Date.now() + minutes * 60_000)
      const muteReason = reason?.trim() || null
      const { entry, user } = await record(
        eventId,
        actor,
        target,
        'mute',
        { mutedUntil: until, muteReason },
        { reason: muteReason, until },
      )
      tell(user)
      return entry
    },

    /** Removes a guest: no session of theirs authenticates any more, their sockets close on every instance. */
    async remove(moderator: Moderator, eventId: string, userId: string, reason?: string) {
      const actor = await actorOf(moderator, eventId, false)
      const target = await targetOf(eventId, userId, actor)
      onlyGuests(target, 'removed')
      const { entry, line } = await record(
        eventId,
        actor,
        target,
        'remove',
        { removedAt: new Date() },
        { reason: reason?.trim() || null },
        'guest-removed',
      )
      // Their devices get no more pushes; after a restore each device subscribes again when opened.
      await prisma.pushSubscription.deleteMany({ where: { userId: target.id } })
      publisher.disconnect(Room.user(target.id))
      if (line) announceSystemLine(publisher, line, { eventId })
      return entry
    },

    /** Lifts a mute and a removal: the guest's sessions authenticate again. */
    async restore(moderator: Moderator, eventId: string, userId: string) {
      const actor = await actorOf(moderator, eventId, false)
      const target = await targetOf(eventId, userId, actor)
      const { entry, user } = await record(eventId, actor, target, 'restore', {
        mutedUntil: null,
        muteReason: null,
        removedAt: null,
      })
      tell(user)
      return entry
    },

    /** Makes a guest a moderator, or a moderator a guest again; organizers only, and organizers stay. */
    async setRole(moderator: Moderator, eventId: string, userId: string, role: 'guest' | 'moderator') {
      const actor = await actorOf(moderator, eventId, true)
      const target = await targetOf(eventId, userId, actor)
      if (target.role === 'organizer') throw forbidden("An organizer's role cannot be changed")
      const { entry, user } = await record(eventId, actor, target, 'role', { role }, { role })
      tell(user)
      return entry
    },

    /** The event's moderation log, newest first. */
    async log(moderator: Moderator, eventId: string): Promise<ModerationLog> {
      await actorOf(moderator, eventId, false)
      const rows = await prisma.moderationAction.findMany({
        where: { eventId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: LOG_PAGE,
      })
      const ids = [...new Set(rows.flatMap((r) => (r.actorId ? [r.actorId, r.targetId] : [r.targetId])))]
      const users = await prisma.user.findMany({
        where: { id: { in: ids } },
        select: { id: true, displayName: true },
      })
      const names = new Map(users.map((u) => [u.id, u.displayName]))
      return {
        actions: rows.map((r) => ({
          id: r.id,
          action: r.action as ModerationActionKind,
          actorId: r.actorId,
          actorName: r.actorId ? (names.get(r.actorId) ?? null) : null,
          targetId: r.targetId,
          targetName: names.get(r.targetId) ?? '',
          reason: r.reason,
          until: r.until?.toISOString() ?? null,
          role: r.role,
          createdAt: r.createdAt.toISOString(),
        })),
      }
    },
  }
}

export type ModerationService = ReturnType<typeof createModerationService>
