import type {
  ChatError,
  Conversation,
  ConversationSummary,
  DirectoryUser,
  EventSettings,
  Message,
  NotificationPreferences,
  SearchResults,
  UserStatusEvent,
} from '@secura/shared'
import type { KnownUser, Mentions } from './db.ts'

/**
 * The contract between the UI and the storage module (protocol §6). The UI only talks to ChatStorage;
 * ChatStorage only talks to the shared protocol (socket.io /chat, REST /api/chat) and IndexedDB.
 */

export type { KnownUser } from './db.ts'

/** connected: socket up. reconnecting: socket down, trying (HTTP still used). offline: the browser says no network. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline'

/** A message as the UI shows it: stored ones, and our own still in the outbox (optimistic, no seq yet). */
export type LocalMessage =
  | (Message & { state: 'sent' })
  | {
      state: 'pending' | 'failed'
      /** The outbox key, stable from the moment the message was written. */
      clientMessageId: string
      conversationId: string
      senderId: string
      content: string
      replyToId: string | null
      mentions?: string[]
      mentionsHere?: boolean
      /** Its photos and files, with their bytes (for previews) and whether each is uploaded yet. */
      files?: LocalFile[]
      /** When it entered the outbox. */
      timestamp: string
      /** Why it failed (4xx): shown with retry / edit / discard. */
      error?: ChatError
    }

/** A file of a queued message. */
export interface LocalFile {
  localId: string
  name: string
  type: string
  size: number
  blob: Blob
  uploaded: boolean
}

/** A file to send with a message: the bytes and the name they had on the device. */
export interface OutgoingFile {
  blob: Blob
  name: string
}

export interface ChatSnapshot {
  connection: ConnectionState
  /** Messages still in the outbox, all conversations. */
  outboxSize: number
  conversations: ConversationSummary[]
  /** Per conversation: stored messages by seq, then pending/failed ones in outbox order. */
  messages: Record<string, LocalMessage[]>
  /** Per conversation: whether older history exists beyond what is loaded. */
  hasOlder: Record<string, boolean>
  /**
   * Per conversation, while one is open (openAround): history opened at a message far behind the latest,
   * to show instead of `messages` until it reaches them (it then joins them and is gone) or is left.
   */
  windows: Record<string, HistoryWindow>
  /** Per conversation: ids of users typing now (never the current user). */
  typing: Record<string, string[]>
  /** Per conversation: each member's read mark (read receipts). */
  reads: Record<string, Record<string, number>>
  presence: Record<string, UserStatusEvent['status']>
  /** The current user is muted: until when and why (protocol §3.1); what they write waits in the outbox. */
  muted: Muted | null
  /** When the event ended, as the server announced it live (`event:ended`); absent until then. */
  eventEndedAt?: string
  /** Per file of a queued message (LocalFile.localId) being uploaded in this tab: the fraction sent. */
  uploads: Record<string, number>
  /** The lobby's announcements I have not dismissed, newest first (protocol §3.3). */
  announcements: readonly Message[]
  /** The event's lobby settings as last told by the server; null until then (use the session's event). */
  eventSettings: EventSettings | null
}

/** History opened at a message: consecutive stored messages by seq, none of the outbox. */
export interface HistoryWindow {
  messages: LocalMessage[]
  /** Older messages exist before the first one (loadOlder pages them into the window). */
  hasOlder: boolean
  /** Newer messages exist after the last one (loadNewer pages them in). */
  hasNewer: boolean
  /** The seq of the message it was opened at. */
  targetSeq: number
}

export interface Muted {
  until: string
  reason: string | null
}

export interface ChatStorage {
  /** Opens IndexedDB, shows the cached state at once, then connects and syncs. */
  start(): Promise<void>
  stop(): void
  subscribe(listener: (snapshot: ChatSnapshot) => void): () => void
  getSnapshot(): ChatSnapshot

  /** Subscribes to the conversation's live events and loads its latest page (cache first). */
  openConversation(conversationId: string): Promise<void>
  closeConversation(conversationId: string): void
  /** Loads the page before the oldest loaded message (of the window, while one is open). */
  loadOlder(conversationId: string): Promise<void>
  /**
   * Opens the conversation's history at a message (by seq, or by id when the seq is not known) with about
   * half a page on each side, in one request: the window of the snapshot (`windows`). A message already
   * among the loaded ones, or one whose window reaches them, needs none: it is then among `messages`.
   * Opening the conversation again (after closing it) shows the latest again.
   */
  openAround(conversationId: string, at: { seq: number } | { messageId: string }): Promise<void>
  /** Loads the page after the window's newest message; the window joins the latest once it reaches it. */
  loadNewer(conversationId: string): Promise<void>
  /** Leaves the window ("Jump to latest"): the latest messages show again. */
  leaveWindow(conversationId: string): void
  /**
   * Loads history back to message `seq` (and a few before it), in pages of the largest size, so a linked
   * message (a search result) can be shown; refuses one more than 10,000 messages back.
   */
  loadUntil(conversationId: string, seq: number): Promise<void>
  /** `GET /api/chat/search`: the messages I can see that hold the words of `query`, best first. */
  searchMessages(
    query: string,
    options?: { conversationId?: string; cursor?: string },
  ): Promise<SearchResults>

  /**
   * Writes to the outbox (IndexedDB) first, files included, then sends: each file uploaded (once), then the
   * message naming them, socket with ack timeout → HTTP → backoff. `mentions`: the users the text names
   * (ids from the directory or the members), and `@here`. With files the text may be empty.
   */
  send(
    conversationId: string,
    content: string,
    replyToId?: string,
    mentions?: Mentions,
    files?: OutgoingFile[],
  ): Promise<void>
  retry(clientMessageId: string): Promise<void>
  /** Drops a queued or failed message; an upload of it in progress is cancelled. */
  discard(clientMessageId: string): Promise<void>
  /** Drops one file of a queued or failed message (its upload cancelled); a message left empty goes too. */
  removeFile(clientMessageId: string, localId: string): Promise<void>
  /** Changes the text of a failed message and sends it again. */
  editFailed(clientMessageId: string, content: string): Promise<void>

  edit(messageId: string, content: string): Promise<void>
  remove(messageId: string): Promise<void>
  react(messageId: string, emoji: string): Promise<void>
  markRead(conversationId: string, seq: number): Promise<void>
  setTyping(conversationId: string, isTyping: boolean): void

  createDirect(userId: string): Promise<Conversation>
  createGroup(title: string, userIds: string[]): Promise<Conversation>
  addMembers(conversationId: string, userIds: string[]): Promise<Conversation>
  removeMembers(conversationId: string, userIds: string[]): Promise<Conversation>
  /** The group's owner renames it (protocol §4). */
  renameGroup(conversationId: string, title: string): Promise<Conversation>
  searchUsers(query: string): Promise<DirectoryUser[]>
  /**
   * Names for user ids the UI has no name for (lobby senders, readers, typists): from the IndexedDB cache,
   * then `GET /api/chat/users?ids=` for the rest, ≤ 100 ids a request; what it learns is kept, so names
   * show offline too. Ids the server does not name (another event) are left out; offline, so are those the
   * cache does not know yet. Never rejects for lack of network.
   */
  findUsers(userIds: string[]): Promise<KnownUser[]>
  /** Pins or unpins a message (organizers and moderators). */
  pin(messageId: string, pinned: boolean): Promise<void>
  /** The conversation's pinned messages, most recently pinned first. */
  loadPins(conversationId: string): Promise<Message[]>
  /** Dismisses an announcement for me, on every device. */
  dismissAnnouncement(messageId: string): Promise<void>
  /** Posts a lobby announcement (organizers; moderators when allowed): straight to the server, not queued. */
  announce(conversationId: string, content: string): Promise<Message>
  /** Presence of the users a view shows (the directory); replaces the previous subscription. */
  watchPresence(userIds: string[]): Promise<void>
  /**
   * The guest is doing something (input in a visible tab, the tab shown): over the socket, at most once a
   * minute; the server shows the guest away after minutes without it on every device.
   */
  reportActivity(): void
  /** Notification preferences changed on another device (or this one): `notifications:updated`. */
  onNotificationPreferences(listener: (preferences: NotificationPreferences) => void): () => void
}
