import type { Conversation, DirectoryUser } from '@secura/shared'
import type { StateCreator } from 'zustand'
import type { ChatSnapshot, ChatStorage } from '../storage/types.ts'
import type { AppState } from './index.ts'

/** What the composer of the open conversation is doing: a new message (maybe a reply), or changing one. */
export type Composing =
  | { kind: 'new'; replyToId: string | null }
  | { kind: 'edit'; messageId: string; content: string }
  | { kind: 'edit-failed'; clientMessageId: string; content: string }

export type ChatDialog = 'directory' | 'new-group' | 'members' | null

export const EMPTY_SNAPSHOT: ChatSnapshot = {
  connection: 'connecting',
  outboxSize: 0,
  conversations: [],
  messages: {},
  hasOlder: {},
  typing: {},
  reads: {},
  presence: {},
}

const NEW_MESSAGE: Composing = { kind: 'new', replyToId: null }

export interface ChatSlice {
  chatStorage: ChatStorage | null
  /** The storage's snapshot, mirrored: components select from here. */
  chat: ChatSnapshot
  activeConversationId: string | null
  /** People seen in the directory, by id: names for the lobby (which lists no members). */
  directory: Record<string, DirectoryUser>
  composing: Composing
  chatDialog: ChatDialog
  /** Why the last chat action failed, fit to show; cleared by the next one. */
  chatNotice: string | null

  attachChatStorage: (storage: ChatStorage) => Promise<void>
  detachChatStorage: () => void
  openConversation: (conversationId: string | null) => void
  setComposing: (composing: Composing) => void
  setChatDialog: (dialog: ChatDialog) => void
  setChatNotice: (notice: string | null) => void

  loadOlder: (conversationId: string) => Promise<void>
  send: (conversationId: string, content: string, replyToId?: string) => Promise<void>
  retry: (clientMessageId: string) => Promise<void>
  discard: (clientMessageId: string) => Promise<void>
  editFailed: (clientMessageId: string, content: string) => Promise<void>
  edit: (messageId: string, content: string) => Promise<void>
  remove: (messageId: string) => Promise<void>
  react: (messageId: string, emoji: string) => Promise<void>
  markRead: (conversationId: string, seq: number) => Promise<void>
  setTyping: (conversationId: string, isTyping: boolean) => void

  createDirect: (userId: string) => Promise<Conversation>
  createGroup: (title: string, userIds: string[]) => Promise<Conversation>
  addMembers: (conversationId: string, userIds: string[]) => Promise<Conversation>
  removeMembers: (conversationId: string, userIds: string[]) => Promise<Conversation>
  searchUsers: (query: string) => Promise<DirectoryUser[]>
  /** Asks the directory again when someone on screen has no name yet (at most every few seconds). */
  lookUpNames: (userIds: string[]) => void
  watchPresence: (userIds: string[]) => Promise<void>
}

/** The directory is asked again for unknown names at most this often. */
const NAME_LOOKUP_INTERVAL_MS = 5000

export const createChatSlice: StateCreator<AppState, [], [], ChatSlice> = (set, get) => {
  let unsubscribe: (() => void) | null = null
  let lastNameLookup = 0
  let nameLookupTimer: ReturnType<typeof setTimeout> | undefined

  function isNamed(userId: string): boolean {
    const { directory, chat, session } = get()
    if (directory[userId] || (session.status === 'signed-in' && session.user.id === userId)) return true
    return chat.conversations.some((c) => c.members.some((m) => m.userId === userId))
  }

  function storage(): ChatStorage {
    const current = get().chatStorage
    if (!current) throw new Error('The chat is not started')
    return current
  }

  return {
    chatStorage: null,
    chat: EMPTY_SNAPSHOT,
    activeConversationId: null,
    directory: {},
    composing: NEW_MESSAGE,
    chatDialog: null,
    chatNotice: null,

    attachChatStorage: async (next) => {
      get().detachChatStorage()
      set({ chatStorage: next, chat: next.getSnapshot() })
      unsubscribe = next.subscribe((chat) => {
        if (get().chatStorage === next) set({ chat })
      })
      await next.start()
      // The lobby lists no members: the first directory page names most of its speakers at once.
      if (get().chatStorage === next)
        void get()
          .searchUsers('')
          .catch(() => undefined)
    },

    detachChatStorage: () => {
      clearTimeout(nameLookupTimer)
      nameLookupTimer = undefined
      unsubscribe?.()
      unsubscribe = null
      get().chatStorage?.stop()
      set({
        chatStorage: null,
        chat: EMPTY_SNAPSHOT,
        activeConversationId: null,
        directory: {},
        composing: NEW_MESSAGE,
        chatDialog: null,
        chatNotice: null,
      })
    },

    openConversation: (conversationId) => {
      const { activeConversationId: previous, chatStorage } = get()
      if (previous === conversationId) return
      set({ activeConversationId: conversationId, composing: NEW_MESSAGE, chatNotice: null })
      if (!chatStorage) return
      if (previous) chatStorage.closeConversation(previous)
      if (conversationId) {
        chatStorage.openConversation(conversationId).catch(() => {
          if (get().activeConversationId === conversationId) {
            set({
              chatNotice: 'This conversation could not be loaded. It will load when the connection is back.',
            })
          }
        })
      }
    },

    setComposing: (composing) => set({ composing }),
    setChatDialog: (chatDialog) => set({ chatDialog }),
    setChatNotice: (chatNotice) => set({ chatNotice }),

    loadOlder: (conversationId) => storage().loadOlder(conversationId),
    send: (conversationId, content, replyToId) => storage().send(conversationId, content, replyToId),
    retry: (clientMessageId) => storage().retry(clientMessageId),
    discard: (clientMessageId) => storage().discard(clientMessageId),
    editFailed: (clientMessageId, content) => storage().editFailed(clientMessageId, content),
    edit: (messageId, content) => storage().edit(messageId, content),
    remove: (messageId) => storage().remove(messageId),
    react: (messageId, emoji) => storage().react(messageId, emoji),
    markRead: (conversationId, seq) => storage().markRead(conversationId, seq),
    setTyping: (conversationId, isTyping) => get().chatStorage?.setTyping(conversationId, isTyping),

    createDirect: (userId) => storage().createDirect(userId),
    createGroup: (title, userIds) => storage().createGroup(title, userIds),
    addMembers: (conversationId, userIds) => storage().addMembers(conversationId, userIds),
    removeMembers: (conversationId, userIds) => storage().removeMembers(conversationId, userIds),

    searchUsers: async (query) => {
      const users = await storage().searchUsers(query)
      set((s) => ({ directory: { ...s.directory, ...Object.fromEntries(users.map((u) => [u.id, u])) } }))
      return users
    },
    // The lobby lists no members and messages carry only a sender id: the directory is the only source of
    // names. Its first page (by name) covers a small event; in a large one a few names may stay unknown.
    lookUpNames: (userIds) => {
      if (!get().chatStorage || nameLookupTimer || userIds.every(isNamed)) return
      const wait = Math.max(0, lastNameLookup + NAME_LOOKUP_INTERVAL_MS - Date.now())
      nameLookupTimer = setTimeout(() => {
        nameLookupTimer = undefined
        lastNameLookup = Date.now()
        if (get().chatStorage)
          get()
            .searchUsers('')
            .catch(() => undefined)
      }, wait)
    },
    watchPresence: (userIds) => storage().watchPresence(userIds),
  }
}
