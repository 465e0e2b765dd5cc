import type {
  CreateInvitationBody,
  CreateInvitationResponse,
  DeviceLinkResponse,
  InvitationPreview,
} from '@secura/shared'
import { DEVICE_LINK_TTL_MS, normalizeName, Room } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { AppError, notFound } from '../../errors.ts'
import type { User } from '../../generated/prisma/client.ts'
import { isLoopbackUrl } from '../../net/lan.ts'
import { eventManagers } from '../events/events.service.ts'
import type { Actor } from '../identity/identity.service.ts'
import { hashSecret, newSecret } from '../identity/tokens.ts'
import type { Publisher } from '../ports.ts'
import { toInvitation } from './wire.ts'

const REDEEMERS_SHOWN = 5

export interface InvitationsDeps {
  prisma: PrismaClient
  publisher: Publisher
  publicUrl: string
}

/** An invitation that can still be redeemed, by its code; FORBIDDEN with the reason otherwise. */
export function usableInvitations(prisma: PrismaClient) {
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

  return findUsableInvitation
}
export const usedUp = () =>
  new AppError('FORBIDDEN', 'This invitation has already been used', { reason: 'used' })

/** Invitations: an event's organizers (or the operator) create, list and revoke them; anyone previews one. */
export function createInvitationsService(deps: InvitationsDeps) {
  const { prisma, publisher, publicUrl } = deps
  const assertCanManage = eventManagers(prisma)
  const findUsableInvitation = usableInvitations(prisma)

  return {
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
      return {
        invitation: toInvitation(invitation),
        code,
        url: `${publicUrl}/join/${code}`,
        publicUrlIsLoopback: isLoopbackUrl(publicUrl),
      }
    },

    /**
     * A new personal link for an existing user (they signed out, or lost their phone): redeeming it opens a
     * new session as that same user. Single use; refused for a removed guest.
     */
    async reissueAccess(actor: Actor, eventId: string, userId: string): Promise<CreateInvitationResponse> {
      await assertCanManage(actor, eventId, 're-issue access')
      const user = await prisma.user.findUnique({ where: { id: userId } })
      if (!user || user.eventId !== eventId) throw notFound('User')
      if (user.removedAt) throw new AppError('FORBIDDEN', 'This guest was removed; restore them first')
      const code = newSecret()
      const invitation = await prisma.invitation.create({
        data: {
          id: uuidv7(),
          eventId,
          codeHash: hashSecret(code),
          role: user.role,
          displayName: user.displayName,
          maxUses: 1,
          userId: user.id,
        },
      })
      return {
        invitation: toInvitation(invitation),
        code,
        url: `${publicUrl}/join/${code}`,
        publicUrlIsLoopback: isLoopbackUrl(publicUrl),
      }
    },

    /** Add a device: a one-time link, valid a few minutes, opening a new session as this same user. */
    async deviceLink(user: User): Promise<DeviceLinkResponse> {
      const code = newSecret()
      const expiresAt = new Date(Date.now() + DEVICE_LINK_TTL_MS)
      await prisma.invitation.create({
        data: {
          id: uuidv7(),
          eventId: user.eventId,
          codeHash: hashSecret(code),
          role: user.role,
          displayName: user.displayName,
          maxUses: 1,
          expiresAt,
          userId: user.id,
        },
      })
      return { code, url: `${publicUrl}/join/${code}`, expiresAt: expiresAt.toISOString() }
    },

    async listInvitations(actor: Actor, eventId: string) {
      await assertCanManage(actor, eventId)
      const invitations = await prisma.invitation.findMany({
        where: { eventId },
        orderBy: { createdAt: 'desc' },
        include: {
          // Who redeemed it, through the sessions it opened: a shared invitation lists its first few.
          sessions: {
            distinct: ['userId'],
            orderBy: [{ userId: 'asc' }],
            take: REDEEMERS_SHOWN,
            select: { user: { select: { id: true, displayName: true } } },
          },
        },
      })
      return {
        invitations: invitations.map(({ sessions, ...i }) => ({
          ...toInvitation(i),
          redeemedBy: sessions.map((s) => s.user),
        })),
      }
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
      if (ended.length > 0) {
        await prisma.pushSubscription.deleteMany({ where: { sessionId: { in: ended.map((s) => s.id) } } })
        publisher.disconnect(ended.map((s) => Room.session(s.id)))
      }
      return { invitation: toInvitation(invitation), endedSessions: ended.length }
    },

    async previewInvitation(code: string): Promise<InvitationPreview> {
      const invitation = await findUsableInvitation(code)
      return {
        event: { id: invitation.event.id, name: invitation.event.name },
        role: invitation.role,
        displayName: invitation.displayName,
      }
    },
  }
}

export type InvitationsService = ReturnType<typeof createInvitationsService>
