import type { JoinResponse, MeResponse } from '@secura/shared'
import { normalizeName, Room } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { AppError, unauthorized } from '../../errors.ts'
import type { Event, Invitation, Session, User } from '../../generated/prisma/client.ts'
import { toEvent } from '../events/wire.ts'
import { usableInvitations, usedUp } from '../invitations/invitations.service.ts'
import type { Publisher } from '../ports.ts'
import { checkedDisplayName } from './names.ts'
import { findSession } from './sessions.ts'
import { hashSecret, newSecret } from './tokens.ts'
import { toUser } from './wire.ts'

/** Who is asking: the operator (admin token) or a guest's session. */
export type Actor = { kind: 'admin' } | { kind: 'user'; user: User; session: Session }
export type Authenticated = { user: User; session: Session }

export interface IdentityDeps {
  prisma: PrismaClient
  publisher: Publisher
  sessionTtlMs: number
  /** How long an ended event stays readable (EVENT_READABLE_DAYS); after it, its sessions open nothing. */
  readableMs: number
}

/** An ended event is closed once it has been readable for `readableMs`: nobody of it signs in any more. */
export const isClosed = (endsAt: Date | null, readableMs: number, now = Date.now()) =>
  endsAt !== null && endsAt.getTime() + readableMs <= now

/** Guests and their sessions: redeeming an invitation, who a token is, signing out. */
export function createIdentityService(deps: IdentityDeps) {
  const { prisma, publisher, sessionTtlMs, readableMs } = deps
  const findUsableInvitation = usableInvitations(prisma)

  /** Re-issued access: a new session for the user the invitation is bound to, their identity unchanged. */
  async function rejoin(
    invitation: Invitation & { event: Event; userId: string },
    secret: string,
  ): Promise<JoinResponse> {
    const user = await prisma.$transaction(async (tx) => {
      const bound = await tx.user.findUnique({ where: { id: invitation.userId } })
      if (!bound || bound.removedAt) {
        throw new AppError('FORBIDDEN', 'This guest was removed from the event', { reason: 'removed' })
      }
      const claimed = await tx.invitation.updateMany({
        where: { id: invitation.id, revokedAt: null, uses: { lt: invitation.maxUses } },
        data: { uses: { increment: 1 } },
      })
      if (claimed.count === 0) throw usedUp()
      await tx.session.create({
        data: {
          id: uuidv7(),
          userId: bound.id,
          tokenHash: hashSecret(secret),
          expiresAt: new Date(Date.now() + sessionTtlMs),
          invitationId: invitation.id,
        },
      })
      return bound
    })
    return { token: secret, user: toUser(user), event: toEvent(invitation.event) }
  }

  return {
    /** Redeems an invitation: a new user in the lobby and a session, all or nothing. */
    async join(code: string, requestedName: string): Promise<JoinResponse> {
      const invitation = await findUsableInvitation(code)
      const { endsAt } = invitation.event
      if (isClosed(endsAt, readableMs))
        throw new AppError('FORBIDDEN', 'The event has ended and is closed', { reason: 'closed' })
      if (invitation.userId) return rejoin({ ...invitation, userId: invitation.userId }, newSecret())
      // A name the organizer chose is taken as it is; a guest's own is checked against the organizers'.
      // After the end, only guests who were there come back (re-issued access, above): nobody new joins.
      if (endsAt && endsAt.getTime() <= Date.now())
        throw new AppError('FORBIDDEN', 'The event has ended', { reason: 'ended', ended: true })
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
      // A removed guest's sessions stay on record (a restore brings them back) but open nothing.
      if (session.user.removedAt) return null
      if (isClosed(session.eventEndsAt, readableMs)) return null
      const { user, eventEndsAt: _endsAt, ...rest } = session
      return { user, session: rest }
    },

    /** Of these session ids, the ones still current: one query for every socket of an instance. */
    async currentSessions(ids: string[]): Promise<Set<string>> {
      const current = new Set<string>()
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = await prisma.session.findMany({
          where: {
            id: { in: ids.slice(i, i + 1000) },
            revokedAt: null,
            expiresAt: { gt: new Date() },
            user: { removedAt: null },
          },
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
      // This browser's push subscription was the session's: a signed-out device gets nothing.
      await prisma.pushSubscription.deleteMany({ where: { sessionId } })
      publisher.disconnect(Room.session(sessionId))
    },
  }
}

export type IdentityService = ReturnType<typeof createIdentityService>
