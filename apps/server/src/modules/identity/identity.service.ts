import type {
  CreateEventBody,
  CreateEventResponse,
  CreateInvitationBody,
  CreateInvitationResponse,
  GuestList,
  GuestsQuery,
  InvitationPreview,
  JoinResponse,
  MeResponse,
} from '@secura/shared'
import { normalizeName, Room } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { AppError, forbidden, notFound, unauthorized } from '../../errors.ts'
import type { Session, User } from '../../generated/prisma/client.ts'
import { toConversation } from '../conversations/wire.ts'
import { findEventUsers } from '../directory.ts'
import { type Publisher, sessionRoom } from '../ports.ts'
import type { PresenceService } from '../presence/presence.service.ts'
import { checkedDisplayName } from './names.ts'
import { findSession } from './sessions.ts'
import { hashSecret, newSecret } from './tokens.ts'
import { toEvent, toInvitation, toUser } from './wire.ts'

/** Who is asking: the operator (admin token) or a guest's session. */
export type Actor = { kind: 'admin' } | { kind: 'user'; user: User; session: Session }
export type Authenticated = { user: User; session: Session }

export interface IdentityDeps {
  prisma: PrismaClient
  publisher: Publisher
  presence: Pick<PresenceService, 'online'>
  publicUrl: string
  sessionTtlMs: number
  /** Largest page of the guest list. */
  pageMax: number
}

export function createIdentityService(deps: IdentityDeps) {
  const { prisma, publisher, presence, publicUrl, sessionTtlMs, pageMax } = deps
  /** The admin, or an organizer of this event. A user of another event learns nothing: NOT_FOUND. */
  async function assertCanManage(actor: Actor, eventId: string, what = 'manage its invitations') {
    const event = await prisma.event.findUnique({ where: { id: eventId } })
    if (!event || (actor.kind === 'user' && actor.user.eventId !== eventId)) throw notFound('Event')
    if (actor.kind === 'user' && actor.user.role !== 'organizer') {
      throw forbidden(`Only organizers of this event can ${what}`)
    }
    return event
  }

  async function findUsableInvitation(code: string) {
    const invitation = await prisma.invitation.findUnique({
      where: { codeHash: hashSecret(code) },
      include: { event: true },
    })
    if (!invitation) throw notFound('Invitation')
    if (invitation.revokedAt)
      throw new AppError('FORBIDDEN', 'This invitation was revoked', { reason: 'revoked' })
    if (invitation.expiresAt && invitation.expiresAt.getTime() <= Date.now()) {
      throw new AppError('FORBIDDEN', 'This invitation has expired', { reason: 'expired' })
    }
    if (invitation.uses >= invitation.maxUses) throw usedUp()
    return invitation
  }
  const usedUp = () => new AppError('FORBIDDEN', 'This invitation has already been used', { reason: 'used' })

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
      return { events: events.map(toEvent) }
    },

    /** Erases the event with everything in it, then disconnects its guests on every instance. */
    async deleteEvent(eventId: string): Promise<void> {
      const { count } = await prisma.event.deleteMany({ where: { id: eventId } })
      if (count === 0) throw notFound('Event')
      publisher.disconnect(Room.event(eventId))
    },

    async createInvitation(
      actor: Actor,
      eventId: string,
      input: CreateInvitationBody,
    ): Promise<CreateInvitationResponse> {
      await assertCanManage(actor, eventId)
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new AppError('VALIDATION', 'expiresAt must be in the future')
      }
      const code = newSecret()
      const invitation = await prisma.invitation.create({
        data: {
          id: uuidv7(),
          eventId,
          codeHash: hashSecret(code),
          role: input.role ?? 'guest',
          displayName: input.displayName ? normalizeName(input.displayName) : null,
          maxUses: input.maxUses ?? 1,
          expiresAt,
        },
      })
      return { invitation: toInvitation(invitation), code, url: `${publicUrl}/join/${code}` }
    },

    async listInvitations(actor: Actor, eventId: string) {
      await assertCanManage(actor, eventId)
      const invitations = await prisma.invitation.findMany({
        where: { eventId },
        orderBy: { createdAt: 'desc' },
      })
      return { invitations: invitations.map(toInvitation) }
    },

    /**
     * Revokes an invitation; with `endSessions`, also ends the sessions opened with it and closes their
     * sockets on every instance (a guest who should not be there leaves now, not at expiry).
     */
    async revokeInvitation(actor: Actor, eventId: string, id: string, { endSessions = false } = {}) {
      await assertCanManage(actor, eventId)
      const existing = await prisma.invitation.findFirst({ where: { id, eventId } })
      if (!existing) throw notFound('Invitation')
      const invitation = existing.revokedAt
        ? existing
        : await prisma.invitation.update({ where: { id }, data: { revokedAt: new Date() } })
      if (!endSessions) return { invitation: toInvitation(invitation) }
      const ended = await prisma.$queryRaw<{ id: string }[]>`
        UPDATE "Session" SET "revokedAt" = now()
        WHERE "invitationId" = ${id}::uuid AND "revokedAt" IS NULL RETURNING id`
      if (ended.length > 0) publisher.disconnect(ended.map((s) => sessionRoom(s.id)))
      return { invitation: toInvitation(invitation), endedSessions: ended.length }
    },

    /** The event's guests by name, with presence, and how many joined and are online: the console's guest list. */
    async listGuests(actor: Actor, eventId: string, { q, limit }: GuestsQuery): Promise<GuestList> {
      await assertCanManage(actor, eventId, 'see its guests')
      const guests = await findEventUsers(prisma, presence, eventId, {
        q,
        limit: Math.min(limit ?? pageMax, pageMax),
      })
      const everyone = await prisma.user.findMany({ where: { eventId }, select: { id: true } })
      const online = await presence.online(everyone.map((u) => u.id))
      return { guests, total: everyone.length, online: online.size }
    },

    async previewInvitation(code: string): Promise<InvitationPreview> {
      const invitation = await findUsableInvitation(code)
      return {
        event: { id: invitation.event.id, name: invitation.event.name },
        role: invitation.role,
        displayName: invitation.displayName,
      }
    },

    /** Redeems an invitation: a new user in the lobby and a session, all or nothing. */
    async join(code: string, requestedName: string): Promise<JoinResponse> {
      const invitation = await findUsableInvitation(code)
      // A name the organizer chose is taken as it is; a guest's own is checked against the organizers'.
      const displayName = invitation.displayName
        ? normalizeName(invitation.displayName)
        : await checkedDisplayName(prisma, invitation.eventId, requestedName)
      const token = newSecret()
      const userId = uuidv7()
      const result = await prisma.$transaction(async (tx) => {
        // The use is counted with a guarded update, so two guests racing for the last use cannot both win.
        const claimed = await tx.invitation.updateMany({
          where: { id: invitation.id, revokedAt: null, uses: { lt: invitation.maxUses } },
          data: { uses: { increment: 1 } },
        })
        if (claimed.count === 0) throw usedUp()
        const user = await tx.user.create({
          data: {
            id: userId,
            eventId: invitation.eventId,
            displayName,
            role: invitation.role,
          },
        })
        const lobby = await tx.conversation.findUnique({
          where: { eventId_uniqueKey: { eventId: invitation.eventId, uniqueKey: 'lobby' } },
        })
        if (lobby) await tx.member.create({ data: { conversationId: lobby.id, userId, role: 'member' } })
        await tx.session.create({
          data: {
            id: uuidv7(),
            userId,
            tokenHash: hashSecret(token),
            expiresAt: new Date(Date.now() + sessionTtlMs),
            invitationId: invitation.id,
          },
        })
        return user
      })
      return { token, user: toUser(result), event: toEvent(invitation.event) }
    },

    /** The session a token names, if it is current; null otherwise. */
    async authenticate(token: string): Promise<Authenticated | null> {
      if (!token) return null
      const session = await findSession(prisma, hashSecret(token))
      if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return null
      const { user, ...rest } = session
      return { user, session: rest }
    },

    /** Of these session ids, the ones still current: one query for every socket of an instance. */
    async currentSessions(ids: string[]): Promise<Set<string>> {
      const current = new Set<string>()
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = await prisma.session.findMany({
          where: { id: { in: ids.slice(i, i + 1000) }, revokedAt: null, expiresAt: { gt: new Date() } },
          select: { id: true },
        })
        for (const row of rows) current.add(row.id)
      }
      return current
    },

    async me(userId: string): Promise<MeResponse> {
      const user = await prisma.user.findUnique({ where: { id: userId }, include: { event: true } })
      if (!user) throw unauthorized()
      const { event, ...rest } = user
      return { user: toUser(rest), event: toEvent(event) }
    },

    /** Revokes the session and disconnects its sockets on every instance. */
    async logout(sessionId: string): Promise<void> {
      await prisma.session.updateMany({
        where: { id: sessionId, revokedAt: null },
        data: { revokedAt: new Date() },
      })
      publisher.disconnect(sessionRoom(sessionId))
    },
  }
}

export type IdentityService = ReturnType<typeof createIdentityService>
