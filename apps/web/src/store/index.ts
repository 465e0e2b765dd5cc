import type { ChatStorage } from '@secura/chat-client'
import { create } from 'zustand'
import { type AdminSlice, createAdminSlice } from './admin.slice.ts'
import { type AttachmentsSlice, createAttachmentsSlice } from './attachments.slice.ts'
import { type ChatSlice, createChatSlice } from './chat.slice.ts'
import { createSearchSlice, type SearchSlice } from './search.slice.ts'
import { createSessionSlice, type SessionSlice } from './session.slice.ts'

/** The one app store, built from typed slices. */
export type AppState = SessionSlice & AdminSlice & ChatSlice & SearchSlice & AttachmentsSlice

export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createAdminSlice(...args),
  ...createChatSlice(...args),
  ...createSearchSlice(...args),
  ...createAttachmentsSlice(...args),
}))

/**
 * The running chat client. The store keeps UI state and the client's snapshot; actions on the chat go to
 * the client itself. Throws when the chat is not started.
 */
export function chatClient(): ChatStorage {
  const client = useAppStore.getState().chatStorage
  if (!client) throw new Error('The chat is not started')
  return client
}
