import { create } from 'zustand'
import { type AdminSlice, createAdminSlice } from './admin.slice.ts'
import { type ChatSlice, createChatSlice } from './chat.slice.ts'
import { createSessionSlice, type SessionSlice } from './session.slice.ts'

/** The one app store, built from typed slices. */
export type AppState = SessionSlice & AdminSlice & ChatSlice

export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createAdminSlice(...args),
  ...createChatSlice(...args),
}))
