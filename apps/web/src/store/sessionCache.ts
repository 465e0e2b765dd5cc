import type { Event, User } from '@secura/shared'

const KEY = 'secura.session'

/**
 * Who was signed in on this device, so the chat can open offline from its IndexedDB cache (protocol §6).
 * Only the user and the event, never a secret: the session token stays in its httpOnly cookie, and the
 * server still decides on every request. Cleared on sign-out and when the server says the session is over.
 */
export interface CachedSession {
  user: User
  event: Event
}

export function readCachedSession(): CachedSession | null {
  try {
    const raw = window.localStorage.getItem(KEY)
    if (!raw) return null
    const value = JSON.parse(raw) as Partial<CachedSession>
    return value.user?.id && value.event?.id ? { user: value.user, event: value.event } : null
  } catch {
    return null
  }
}

export function writeCachedSession(session: CachedSession | null): void {
  try {
    if (session) window.localStorage.setItem(KEY, JSON.stringify(session))
    else window.localStorage.removeItem(KEY)
  } catch {
    // Storage unavailable (privacy modes): the chat then needs the network to open.
  }
}
