import type { Event, User } from '@secura/shared'
import type { StateCreator } from 'zustand'
import { authApi } from '../api/auth.ts'
import { ApiError, describeError } from '../api/http.ts'
import type { AppState } from './index.ts'

export type Session =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'unreachable'; message: string }
  | { status: 'signed-in'; user: User; event: Event }

export interface SessionSlice {
  session: Session
  /** Asks the server who the session cookie belongs to. */
  loadSession: () => Promise<void>
  setSignedIn: (user: User, event: Event) => void
  signOut: () => Promise<void>
}

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  session: { status: 'loading' },

  loadSession: async () => {
    try {
      const { user, event } = await authApi.me()
      set({ session: { status: 'signed-in', user, event } })
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHORIZED')
        set({ session: { status: 'signed-out' } })
      else set({ session: { status: 'unreachable', message: describeError(error) } })
    }
  },

  setSignedIn: (user, event) => set({ session: { status: 'signed-in', user, event } }),

  signOut: async () => {
    try {
      await authApi.logout()
    } catch (error) {
      // An expired session is as good as signed out; anything else keeps the user signed in.
      if (!(error instanceof ApiError && error.code === 'UNAUTHORIZED')) throw error
    }
    set({ session: { status: 'signed-out' } })
  },
})
