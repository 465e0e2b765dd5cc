import type { Attachment, ChatError, ConversationSummary, Message } from '@secura/shared'
import { type DBSchema, type IDBPDatabase, type IDBPIndex, type IDBPTransaction, openDB } from 'idb'

/**
 * The IndexedDB cache of one user in one event (protocol §6): the outbox, the recent messages of each
 * conversation, the conversation list, per conversation the last rev applied to the cached messages, and
 * the names of the people met (so the lobby, which lists no members, names its speakers offline too).
 */

/** Who a message mentions: user ids checked by the server, and `@here` (organizers, in the lobby). */
export interface Mentions {
  userIds?: string[]
  here?: boolean
}

/**
 * A file of a queued message: the bytes themselves (IndexedDB stores Blobs), so it survives a reload with no
 * network; `attachment` once uploaded, so an upload that got its answer is never made again.
 */
export interface OutboxFile {
  /** The file's key in its message, from the moment it was picked. */
  localId: string
  name: string
  /** The type the browser gave it (the server sniffs its own). */
  type: string
  size: number
  blob: Blob
  attachment?: Attachment
}

/** A message written before its first attempt; removed when the server has it. */
export interface OutboxEntry {
  clientMessageId: string
  conversationId: string
  senderId: string
  content: string
  replyToId: string | null
  /** The users it mentions, and `@here` (left out when none). */
  mentions?: string[]
  mentionsHere?: boolean
  /** Photos and files, uploaded in order before the message is sent (left out when none). */
  files?: OutboxFile[]
  /** When it entered the outbox (ISO). */
  createdAt: string
  /** Sending order across the outbox; retry() moves a message to the end. */
  order: number
  attempts: number
  state: 'pending' | 'failed'
  /** Epoch ms before which it is not tried again (backoff). */
  nextAttemptAt: number
  /** Why it failed (a 4xx), shown with retry / edit / discard. */
  error?: ChatError
}

/** Per conversation: every change up to `rev` is in the cached messages from `floorSeq` on. */
export interface ConversationMeta {
  conversationId: string
  rev: number
  floorSeq: number
}

/** The fallback lock when the Web Locks API is missing: a lease renewed while held. */
export interface LockLease {
  name: string
  owner: string
  expiresAt: number
}

/** Someone of the event, as far as naming them goes (display names never change). */
export interface KnownUser {
  id: string
  displayName: string
  role: 'guest' | 'moderator' | 'organizer'
}

interface ChatDbSchema extends DBSchema {
  outbox: { key: string; value: OutboxEntry }
  messages: { key: string; value: Message; indexes: { bySeq: [string, number] } }
  conversations: { key: string; value: ConversationSummary }
  meta: { key: string; value: ConversationMeta }
  locks: { key: string; value: LockLease }
  users: { key: string; value: KnownUser }
}

export type ChatDb = IDBPDatabase<ChatDbSchema>

/** Messages kept per conversation: the newest by seq. */
export const CACHED_MESSAGES = 200

/** One database per user and event: a shared device never shows one guest another's cache. */
export const chatDbName = (me: { id: string; eventId: string }) => `secura-chat:${me.eventId}:${me.id}`

export function openChatDb(name: string): Promise<ChatDb> {
  return openDB<ChatDbSchema>(name, 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('outbox', { keyPath: 'clientMessageId' })
        db.createObjectStore('messages', { keyPath: 'id' }).createIndex('bySeq', ['conversationId', 'seq'])
        db.createObjectStore('conversations', { keyPath: 'id' })
        db.createObjectStore('meta', { keyPath: 'conversationId' })
        db.createObjectStore('locks', { keyPath: 'name' })
      }
      if (oldVersion < 2) db.createObjectStore('users', { keyPath: 'id' })
    },
  })
}

/** The cached users among `ids`. */
export async function readUsers(db: ChatDb, ids: string[]): Promise<KnownUser[]> {
  const tx = db.transaction('users')
  const found = await Promise.all(ids.map((id) => tx.store.get(id)))
  await tx.done
  return found.filter((u): u is KnownUser => u !== undefined)
}

export async function putUsers(db: ChatDb, users: KnownUser[]): Promise<void> {
  if (users.length === 0) return
  const tx = db.transaction('users', 'readwrite')
  await Promise.all([...users.map((u) => tx.store.put(u)), tx.done])
}

export interface CachedState {
  conversations: ConversationSummary[]
  meta: ConversationMeta[]
  messages: Message[]
}

export async function readCache(db: ChatDb): Promise<CachedState> {
  const tx = db.transaction(['conversations', 'meta', 'messages'])
  const [conversations, meta, messages] = await Promise.all([
    tx.objectStore('conversations').getAll(),
    tx.objectStore('meta').getAll(),
    tx.objectStore('messages').index('bySeq').getAll(),
  ])
  await tx.done
  return { conversations, meta, messages }
}

export async function readOutbox(db: ChatDb): Promise<OutboxEntry[]> {
  const entries = await db.getAll('outbox')
  return entries.sort(byOrder)
}

export const byOrder = (a: OutboxEntry, b: OutboxEntry) =>
  a.order - b.order || a.clientMessageId.localeCompare(b.clientMessageId)

/** Everything one flush of the in-memory state writes, in one transaction so a crash leaves no half. */
export interface CacheWrite {
  messages: Message[]
  meta: ConversationMeta[]
  /** Conversations whose cached messages are replaced (a reset) or dropped (left, or gone). */
  clearMessages: string[]
  conversations: ConversationSummary[]
  removeConversations: string[]
  /** Outbox entries the server has: removed with the message that proves it. */
  delivered: string[]
}

type WriteStores = ('messages' | 'meta' | 'conversations' | 'outbox')[]
type SeqIndex = IDBPIndex<ChatDbSchema, WriteStores, 'messages', 'bySeq', 'readwrite'>

export async function writeCache(db: ChatDb, write: CacheWrite): Promise<void> {
  const stores: WriteStores = ['messages', 'meta', 'conversations', 'outbox']
  const tx = db.transaction(stores, 'readwrite')
  const bySeq = tx.objectStore('messages').index('bySeq')
  // Clear first and wait: a cursor still walking the index would also delete what is put after it.
  const cleared = [...write.clearMessages, ...write.removeConversations]
  await Promise.all(cleared.map((id) => deleteRange(bySeq, seqRange(id, 0))))
  const work: Promise<unknown>[] = []
  for (const id of write.removeConversations) {
    work.push(tx.objectStore('meta').delete(id), tx.objectStore('conversations').delete(id))
  }
  for (const message of write.messages) work.push(tx.objectStore('messages').put(message))
  for (const meta of write.meta) work.push(tx.objectStore('meta').put(meta))
  for (const summary of write.conversations) work.push(tx.objectStore('conversations').put(summary))
  for (const id of write.delivered) work.push(tx.objectStore('outbox').delete(id))
  await Promise.all(work)
  // Keep the newest CACHED_MESSAGES of each conversation written to.
  const touched = new Set(write.messages.map((m) => m.conversationId))
  await Promise.all([...touched].map((id) => trimConversation(tx, id)))
  await tx.done
}

type WriteTx = IDBPTransaction<ChatDbSchema, WriteStores, 'readwrite'>

const seqRange = (conversationId: string, fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER) =>
  IDBKeyRange.bound([conversationId, fromSeq], [conversationId, toSeq])

/** Drops the oldest messages beyond CACHED_MESSAGES; the cached window then starts at the first kept. */
async function trimConversation(tx: WriteTx, conversationId: string) {
  const bySeq = tx.objectStore('messages').index('bySeq')
  const excess = (await bySeq.count(seqRange(conversationId, 0))) - CACHED_MESSAGES
  if (excess <= 0) return
  let cursor = await bySeq.openCursor(seqRange(conversationId, 0))
  for (let i = 0; cursor && i < excess; i++) {
    await cursor.delete()
    cursor = await cursor.continue()
  }
  const meta = await tx.objectStore('meta').get(conversationId)
  if (cursor && meta && meta.floorSeq < cursor.value.seq) {
    await tx.objectStore('meta').put({ ...meta, floorSeq: cursor.value.seq })
  }
}

async function deleteRange(bySeq: SeqIndex, range: IDBKeyRange) {
  let cursor = await bySeq.openCursor(range)
  while (cursor) {
    await cursor.delete()
    cursor = await cursor.continue()
  }
}

export async function putOutboxEntry(db: ChatDb, entry: OutboxEntry): Promise<void> {
  await db.put('outbox', entry)
}

export async function deleteOutboxEntry(db: ChatDb, clientMessageId: string): Promise<void> {
  await db.delete('outbox', clientMessageId)
}

/** Atomically updates an entry only if it still exists (another tab may have delivered it meanwhile). */
export async function updateOutboxEntry(
  db: ChatDb,
  clientMessageId: string,
  change: (entry: OutboxEntry) => OutboxEntry,
): Promise<OutboxEntry | undefined> {
  const tx = db.transaction('outbox', 'readwrite')
  const current = await tx.store.get(clientMessageId)
  const next = current && change(current)
  if (next) await tx.store.put(next)
  await tx.done
  return next
}
