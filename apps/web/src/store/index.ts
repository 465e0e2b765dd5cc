import { create } from 'zustand'
import { type AdminSlice, createAdminSlice } from './admin.slice.ts'
import { createSessionSlice, type SessionSlice } from './session.slice.ts'

/** The one app store, built from typed slices; chat slices join here as the chat grows. */
export type AppState = SessionSlice & AdminSlice

export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createAdminSlice(...args),
}))
