import type * as Wire from '@secura/shared'
import type { Event } from '../../generated/prisma/client.ts'

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

export const toEvent = (e: Event): Wire.Event => ({
  id: e.id,
  name: e.name,
  startsAt: iso(e.startsAt),
  endsAt: iso(e.endsAt),
  createdAt: e.createdAt.toISOString(),
  announcementOnly: e.announcementOnly,
  moderatorsAnnounce: e.moderatorsAnnounce,
})
