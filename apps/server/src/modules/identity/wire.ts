import type * as Wire from '@secura/shared'
import type { Event, Invitation, User } from '../../generated/prisma/client.ts'

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

export const toEvent = (e: Event): Wire.Event => ({
  id: e.id,
  name: e.name,
  startsAt: iso(e.startsAt),
  endsAt: iso(e.endsAt),
  createdAt: e.createdAt.toISOString(),
})

export const toUser = (u: User): Wire.User => ({
  id: u.id,
  eventId: u.eventId,
  displayName: u.displayName,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  lastSeenAt: u.lastSeenAt.toISOString(),
})

export const toInvitation = (i: Invitation): Wire.Invitation => ({
  id: i.id,
  eventId: i.eventId,
  role: i.role,
  displayName: i.displayName,
  maxUses: i.maxUses,
  uses: i.uses,
  expiresAt: iso(i.expiresAt),
  revokedAt: iso(i.revokedAt),
  createdAt: i.createdAt.toISOString(),
})
