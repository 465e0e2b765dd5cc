import type { DirectoryUser } from '@secura/shared'
import type { PrismaClient } from '../db/prisma.ts'
import type { PresenceService } from './presence/presence.service.ts'

export interface DirectoryFilter {
  /** Part of a display name, case-insensitive. */
  q?: string | undefined
  /** Exactly these users (those of other events are left out). */
  ids?: string[] | undefined
  limit: number
  /** The organizers' guest list: removed guests too, with their mute and removal. */
  moderation?: boolean
}

/**
 * Users of one event as the directory and the guest list show them: by name, with presence. One query
 * for both the guests' directory (conversations) and the organizer's guest list (identity).
 */
export async function findEventUsers(
  prisma: PrismaClient,
  presence: Pick<PresenceService, 'online' | 'away'>,
  eventId: string,
  { q, ids, limit, moderation = false }: DirectoryFilter,
): Promise<DirectoryUser[]> {
  const users = await prisma.user.findMany({
    where: {
      eventId,
      ...(ids && { id: { in: ids } }),
      // Guests no longer find a removed guest by name; their old messages still resolve by id.
      ...(!moderation && !ids && { removedAt: null }),
      // `contains` becomes ILIKE '%q%' unescaped: a typed % or _ must match itself, not everything.
      ...(q?.trim() && {
        displayName: { contains: q.trim().replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' },
      }),
    },
    orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
    take: limit,
  })
  const online = await presence.online(users.map((u) => u.id))
  const away = await presence.away([...online])
  const statusOf = (id: string) => (!online.has(id) ? 'offline' : away.has(id) ? 'away' : 'online')
  return users.map((u) => ({
    id: u.id,
    displayName: u.displayName,
    role: u.role,
    status: statusOf(u.id),
    lastSeenAt: u.lastSeenAt.toISOString(),
    ...(moderation && {
      mutedUntil: u.mutedUntil && u.mutedUntil > new Date() ? u.mutedUntil.toISOString() : null,
      removed: u.removedAt !== null,
    }),
  }))
}

/** `a,b,c` → unique ids (the schema has checked their form and count). */
export const splitIds = (list: string | undefined): string[] | undefined =>
  list === undefined ? undefined : [...new Set(list.split(',').map((id) => id.toLowerCase()))]
