import type * as Wire from '@secura/shared'
import type { Invitation } from '../../generated/prisma/client.ts'
import { iso } from '../events/wire.ts'

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
