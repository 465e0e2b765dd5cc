import type { EventSettings, User } from '@secura/shared'
import { useAppStore } from '../../store/index.ts'

/** The event's lobby settings: as the server last told the chat, else as the session's event says. */
export function useEventSettings(): EventSettings {
  const live = useAppStore((s) => s.chat.eventSettings)
  const announcementOnly = useAppStore(
    (s) => s.session.status === 'signed-in' && s.session.event.announcementOnly === true,
  )
  const moderatorsAnnounce = useAppStore(
    (s) => s.session.status === 'signed-in' && s.session.event.moderatorsAnnounce === true,
  )
  return live ?? { announcementOnly, moderatorsAnnounce }
}

/** Organizers announce; moderators too when the organizers allow it (protocol §3.3). */
export const mayAnnounce = (role: User['role'], settings: EventSettings) =>
  role === 'organizer' || (role === 'moderator' && settings.moderatorsAnnounce)

/** In an announcement-only lobby only organizers and moderators write. */
export const mayWriteInLobby = (role: User['role'], settings: EventSettings) =>
  role !== 'guest' || !settings.announcementOnly

export const isStaff = (role: User['role']) => role === 'organizer' || role === 'moderator'
