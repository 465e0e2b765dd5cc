import { deleteChatCache } from '@secura/chat-client'
import type { Event, User } from '@secura/shared'
import type { StateCreator } from 'zustand'
import { authApi } from '../api/auth.ts'
import { ApiError, describeError } from '../api/http.ts'
import type { AppState } from './index.ts'
import { readCachedSession, writeCachedSession } from './sessionCache.ts'

export type Session =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'unreachable'; message: string }
  | { status: 'signed-in'; user: User; event: Event }

export interface SessionSlice {
  session: Session
  /** Asks the server who the session cookie belongs to; offline, the last known answer opens the cached chat. */
  loadSession: () => Promise<void>
  setSignedIn: (user: User, event: Event) => void
  signOut: () => Promise<void>
}

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => ({
  session: { status: 'loading' },

  loadSession: async () => {
    try {
      const { user, event } = await authApi.me()
      writeCachedSession({ user, event })
      set({ session: { status: 'signed-in', user, event } })
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHORIZED') {
        writeCachedSession(null)
        set({ session: { status: 'signed-out' } })
        return
      }
      const cached = error instanceof ApiError && error.code === 'NETWORK' ? readCachedSession() : null
      if (!cached) {
        set({ session: { status: 'unreachable', message: describeError(error) } })
        return
      }
      // Offline (or the server is down): open on the last known session, and check it when the network is back.
      set({ session: { status: 'signed-in', ...cached } })
      window.addEventListener('online', () => void get().loadSession(), { once: true })
    }
  },

  setSignedIn: (user, event) => {
    writeCachedSession({ user, event })
    set({ session: { status: 'signed-in', user, event } })
  },

  signOut: async () => {
    const { session } = get()
    try {
      await authApi.logout()
    } catch (error) {
      // An expired session is as good as signed out; anything else keeps the user signed in.
      if (!(error instanceof ApiError && error.code === 'UNAUTHORIZED')) throw error
    }
    writeCachedSession(null)
    // The device forgets the user's chat (a shared phone, a kiosk): the storage stops, then its database
    // goes — cache and outbox, which the revoked session could not send from anyway. Not awaited: another
    // tab of the user holds the database open until it notices the sign-out.
    get().detachChatStorage()
    set({ session: { status: 'signed-out' } })
    if (session.status === 'signed-in') deleteChatCache(session.user).catch(() => undefined)
  },
})
