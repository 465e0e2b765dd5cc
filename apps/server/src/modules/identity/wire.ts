import type * as Wire from '@secura/shared'
import type { User } from '../../generated/prisma/client.ts'

export const toUser = (u: User): Wire.User => ({
  id: u.id,
  eventId: u.eventId,
  displayName: u.displayName,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  lastSeenAt: u.lastSeenAt.toISOString(),
})
