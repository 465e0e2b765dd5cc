import type {
  CreateEventBody,
  CreateEventResponse,
  Event,
  EventResponse,
  EventSettingsBody,
  GuestList,
  GuestsQuery,
} from '@secura/shared'
import { normalizeName, Room } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { AppError, forbidden, notFound } from '../../errors.ts'
import { toConversation } from '../conversations/wire.ts'
import { findEventUsers } from '../directory.ts'
import type { Actor } from '../identity/identity.service.ts'
import type { Moderator } from '../moderation/moderation.service.ts'
import type { Publisher } from '../ports.ts'
import type { PresenceService } from '../presence/presence.service.ts'
import { toEvent } from './wire.ts'

export interface EventsDeps {
  prisma: PrismaClient
  publisher: Publisher
  presence: Pick<PresenceService, 'online' | 'away'>
  /** Largest page of the guest list. */
  pageMax: number
}

/** Who may manage an event, for the services of its parts (its invitations, its guest list). */
export function eventManagers(prisma: PrismaClient) {
  /** The admin, or an organizer of this event. A user of another event learns nothing: NOT_FOUND. */
  async function assertCanManage(actor: Moderator, eventId: string, what = 'manage its invitations') {
    const event = await prisma.event.findUnique({ where: { id: eventId } })
    if (!event || (actor.kind === 'user' && actor.user.eventId !== eventId)) throw notFound('Event')
    if (actor.kind === 'user' && actor.user.role !== 'organizer') {
      throw forbidden(`Only organizers of this event can ${what}`)
    }
    return event
  }

  return assertCanManage
}

/** Events: the operator creates, lists and erases them; an event's organizers see its guest list. */
export function createEventsService(deps: EventsDeps) {
  const { prisma, publisher, presence, pageMax } = deps
  const assertCanManage = eventManagers(prisma)

  return {
    async createEvent(input: CreateEventBody): Promise<CreateEventResponse> {
      const startsAt = input.startsAt ? new Date(input.startsAt) : null
      const endsAt = input.endsAt ? new Date(input.endsAt) : null
      if (startsAt && endsAt && endsAt < startsAt) {
        throw new AppError('VALIDATION', 'endsAt must not be before startsAt')
      }
      const eventId = uuidv7()
      const name = normalizeName(input.name)
      const [event, lobby] = await prisma.$transaction([
        prisma.event.create({ data: { id: eventId, name, startsAt, endsAt } }),
        prisma.conversation.create({
          data: { id: uuidv7(), eventId, kind: 'event', title: name, uniqueKey: 'lobby' },
        }),
      ])
      return { event: toEvent(event), lobby: toConversation(lobby, [], 0) }
    },

    async listEvents() {
      const events = await prisma.event.findMany({ orderBy: { createdAt: 'desc' } })
      const users = await prisma.user.findMany({
        where: { removedAt: null },
        select: { id: true, eventId: true },
      })
      const online = await presence.online(users.map((u) => u.id))
      const onlineBy = new Map<string, number>()
      for (const u of users) if (online.has(u.id)) onlineBy.set(u.eventId, (onlineBy.get(u.eventId) ?? 0) + 1)
      const today = await prisma.$queryRaw<{ eventId: string; n: number }[]>`
        SELECT c."eventId", count(*)::int AS n FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
        WHERE m."createdAt" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        GROUP BY c."eventId"`
      const todayBy = new Map(today.map((r) => [r.eventId, r.n]))
      return {
        events: events.map((e) => ({
          ...toEvent(e),
          counts: { online: onlineBy.get(e.id) ?? 0, messagesToday: todayBy.get(e.id) ?? 0 },
        })),
      }
    },

    /**
     * Changes the lobby's settings (announcement-only, moderators' announcements): the admin or an organizer.
     * Every socket of the event hears the new settings, so composers change at once.
     */
    async updateSettings(actor: Moderator, eventId: string, settings: EventSettingsBody): Promise<Event> {
      await assertCanManage(actor, eventId, 'change its settings')
      const event = await prisma.event.update({
        where: { id: eventId },
        data: {
          ...(settings.announcementOnly !== undefined && { announcementOnly: settings.announcementOnly }),
          ...(settings.moderatorsAnnounce !== undefined && {
            moderatorsAnnounce: settings.moderatorsAnnounce,
          }),
        },
      })
      const wire = toEvent(event)
      publisher.emit(Room.event(eventId), 'event:updated', wire)
      return wire
    },

    /** Erases the event with everything in it, then disconnects its guests on every instance. */
    async deleteEvent(eventId: string): Promise<void> {
      const { count } = await prisma.event.deleteMany({ where: { id: eventId } })
      if (count === 0) throw notFound('Event')
      publisher.disconnect(Room.event(eventId))
    },

    /**
     * "End now": the event ends at this moment, and every connected client of it hears `event:ended`, on
     * every instance. From then on the chat is read-only (mute.ts); an event already ended stays as it was.
     */
    async endEvent(actor: Actor, eventId: string): Promise<EventResponse> {
      await assertCanManage(actor, eventId, 'end it')
      const now = new Date()
      const { count } = await prisma.event.updateMany({
        where: { id: eventId, OR: [{ endsAt: null }, { endsAt: { gt: now } }] },
        data: { endsAt: now },
      })
      const event = await prisma.event.findUniqueOrThrow({ where: { id: eventId } })
      if (count > 0)
        publisher.emit(Room.event(eventId), 'event:ended', { eventId, endsAt: event.endsAt!.toISOString() })
      return { event: toEvent(event) }
    },

    /** The event's guests by name, with presence, and how many joined and are online: the console's guest list. */
    async listGuests(actor: Actor, eventId: string, { q, limit }: GuestsQuery): Promise<GuestList> {
      await assertCanManage(actor, eventId, 'see its guests')
      const guests = await findEventUsers(prisma, presence, eventId, {
        q,
        limit: Math.min(limit ?? pageMax, pageMax),
        moderation: true,
      })
      const everyone = await prisma.user.findMany({ where: { eventId }, select: { id: true } })
      const online = await presence.online(everyone.map((u) => u.id))
      return { guests, total: everyone.length, online: online.size }
    },
  }
}

export type EventsService = ReturnType<typeof createEventsService>
