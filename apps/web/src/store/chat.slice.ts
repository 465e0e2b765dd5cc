import type { ChatSnapshot, ChatStorage, KnownUser } from '@secura/chat-client'
import type { DirectoryUser } from '@secura/shared'
import type { StateCreator } from 'zustand'
import type { AppState } from './index.ts'
import { EMPTY_SEARCH } from './search.slice.ts'

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
  windows: {},
  typing: {},
  reads: {},
  presence: {},
  muted: null,
  uploads: {},
  announcements: [],
  eventSettings: null,
}

const NEW_MESSAGE: Composing = { kind: 'new', replyToId: null }

export interface ChatSlice {
  /** The running chat client; components call it directly through chatClient(). */
  chatStorage: ChatStorage | null
  /** The storage's snapshot, mirrored: components select from here. */
  chat: ChatSnapshot
  activeConversationId: string | null
  /** People seen in the directory, by id, with the presence it reported. */
  directory: Record<string, DirectoryUser>
  /** Names found by id for people met elsewhere (lobby senders, readers, typists), by id. */
  people: Record<string, KnownUser>
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

  searchUsers: (query: string) => Promise<DirectoryUser[]>
  /** Finds the names of people on screen the client does not know yet (batched, cached by the storage). */
  lookUpNames: (userIds: string[]) => void
}

/** Unknown ids asked together: the views that need names render in the same moment. */
const NAME_LOOKUP_BATCH_MS = 30

export const createChatSlice: StateCreator<AppState, [], [], ChatSlice> = (set, get) => {
  let unsubscribe: (() => void) | null = null
  let nameLookupTimer: ReturnType<typeof setTimeout> | undefined
  /** Ids to look up in the next batch. */
  const wanted = new Set<string>()
  /** Ids asked for and not named (not reachable, or not of this event): asked again on reconnect. */
  const unnamed = new Set<string>()

  function isNamed(userId: string): boolean {
    const { directory, people, chat, session } = get()
    if (directory[userId] || people[userId]) return true
    if (session.status === 'signed-in' && session.user.id === userId) return true
    return chat.conversations.some((c) => c.members.some((m) => m.userId === userId))
  }

  function lookUpWanted() {
    nameLookupTimer = undefined
    const storage = get().chatStorage
    const ids = [...wanted].filter((id) => !isNamed(id))
    wanted.clear()
    if (!storage || ids.length === 0) return
    storage.findUsers(ids).then(
      (users) => {
        if (get().chatStorage !== storage) return
        for (const id of ids) unnamed.add(id)
        for (const user of users) unnamed.delete(user.id)
        if (users.length > 0)
          set((s) => ({ people: { ...s.people, ...Object.fromEntries(users.map((u) => [u.id, u])) } }))
      },
      () => {
        for (const id of ids) unnamed.add(id)
      },
    )
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
    people: {},
    composing: NEW_MESSAGE,
    chatDialog: null,
    chatNotice: null,

    attachChatStorage: async (next) => {
      get().detachChatStorage()
      set({ chatStorage: next, chat: next.getSnapshot() })
      unsubscribe = next.subscribe((chat) => {
        if (get().chatStorage !== next) return
        const reconnected = chat.connection === 'connected' && get().chat.connection !== 'connected'
        set({ chat })
        // Names that could not be found offline are asked again once the connection is back.
        if (reconnected && unnamed.size > 0) {
          const retry = [...unnamed]
          unnamed.clear()
          get().lookUpNames(retry)
        }
      })
      await next.start()
      // The first directory page: presence for the people one is most likely to see.
      if (get().chatStorage === next)
        void get()
          .searchUsers('')
          .catch(() => undefined)
    },

    detachChatStorage: () => {
      clearTimeout(nameLookupTimer)
      nameLookupTimer = undefined
      wanted.clear()
      unnamed.clear()
      unsubscribe?.()
      unsubscribe = null
      get().chatStorage?.stop()
      get().clearAllDraftFiles()
      set({
        chatStorage: null,
        chat: EMPTY_SNAPSHOT,
        activeConversationId: null,
        directory: {},
        people: {},
        composing: NEW_MESSAGE,
        chatDialog: null,
        chatNotice: null,
        messageSearch: EMPTY_SEARCH,
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

    searchUsers: async (query) => {
      const users = await storage().searchUsers(query)
      set((s) => ({ directory: { ...s.directory, ...Object.fromEntries(users.map((u) => [u.id, u])) } }))
      return users
    },
    // The lobby lists no members and messages carry only a sender id: unknown senders are found by id.
    lookUpNames: (userIds) => {
      if (!get().chatStorage) return
      for (const id of userIds) if (!isNamed(id)) wanted.add(id)
      if (wanted.size > 0 && !nameLookupTimer)
        nameLookupTimer = setTimeout(lookUpWanted, NAME_LOOKUP_BATCH_MS)
    },
  }
}
