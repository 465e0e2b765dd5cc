import { type Attachment, type Message, TYPING_EXPIRY_MS } from '@secura/shared'
import { CacheWriter } from './cache.ts'
import { type CachedState, type ChatDb, chatDbName, type OutboxEntry, openChatDb, readCache } from './db.ts'
import {
  abortError,
  createLeaseLock,
  createWebLock,
  type LeaseOptions,
  type LockManagerLike,
  webLocks,
} from './lock.ts'
import { ChatModel } from './model.ts'
import { Outbox } from './outbox.ts'
import type { RetryPolicy } from './retry.ts'
import type { ChatState } from './state.ts'
import { Sync, type SyncTiming } from './sync.ts'
import { createTimeline } from './timeline.ts'
import { type ChatTransport, callServer } from './transport.ts'

export interface Timing extends SyncTiming {
  lease: LeaseOptions
  /** A typing indicator not refreshed or stopped for this long goes (a backstop to the server's stop). */
  typingBackstopMs: number
  /** First pause before reconnecting a socket the server closed; doubles while it keeps happening. */
  reconnectMs: number
}

export const defaultTiming: Timing = {
  ackTimeoutMs: 5000,
  headCheckMs: 30_000,
  pollMs: 5000,
  revGapMs: 1000,
  maxSyncRounds: 5,
  lease: { leaseMs: 10_000, pollMs: 500 },
  typingBackstopMs: TYPING_EXPIRY_MS + 1000,
  reconnectMs: 1000,
}

/** The browser's idea of the network (navigator.onLine and the online/offline events). */
export interface NetworkStatus {
  onLine(): boolean
  subscribe(listener: (online: boolean) => void): () => void
}

export interface RuntimeOptions {
  me: { id: string; eventId: string }
  transport: ChatTransport
  /** A database name (default: one per user and event) or an open database. */
  db?: string | ChatDb
  /** The Web Locks API; null uses the IndexedDB lease instead. Default: navigator.locks when present. */
  locks?: LockManagerLike | null
  network: NetworkStatus
  timing: Timing
  retry: RetryPolicy
  report: (error: unknown) => void
}

/** Everything a started storage runs on, built once the cache is read. */
export interface ChatRuntime {
  db: ChatDb
  transport: ChatTransport
  model: ChatModel
  sync: Sync
  outbox: Outbox
  timing: Timing
  network: NetworkStatus
  report: (error: unknown) => void
  close(): Promise<void>
}

type TabMessage = { type: 'outbox' } | { type: 'delivered'; message: Message }

/** Opens the database, shows the cache (the state's first snapshot), and builds the parts over it. */
export async function createRuntime(options: RuntimeOptions, state: ChatState): Promise<ChatRuntime> {
  const { me, transport, timing, report } = options
  const ownDb = typeof options.db !== 'object'
  const db = typeof options.db === 'object' ? options.db : await openChatDb(options.db ?? chatDbName(me))
  const cached = await readCache(db)
  const cache = new CacheWriter(db, report)
  // Tabs of the same user tell each other when the outbox changes or one of them delivered a message.
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(db.name) : undefined
  // Telling the other tabs is best effort: once this storage stops, its channel is closed and posting
  // throws, which must not fail a send whose message is already safe in the outbox.
  const post = (message: TabMessage) => {
    try {
      channel?.postMessage(message)
    } catch {
      // closed: this tab is stopping
    }
  }
  const locks = options.locks === undefined ? webLocks() : (options.locks ?? undefined)
  const lock = locks
    ? createWebLock(locks, `secura-outbox:${db.name}`)
    : createLeaseLock(db, 'outbox', timing.lease)

  const outbox: Outbox = new Outbox({
    db,
    senderId: me.id,
    lock,
    policy: options.retry,
    deliver: deliverOver(transport, timing.ackTimeoutMs),
    upload: (entry, file, signal, onProgress) =>
      transport.http.upload<Attachment>(
        `/api/chat/conversations/${entry.conversationId}/attachments`,
        file.blob,
        file.name,
        // The file's key in the outbox: a repeat after a lost answer gets the same attachment back.
        { signal, onProgress, key: file.localId },
      ),
    onUploads: (uploads) => state.setUploads(uploads),
    onDelivered: async (entry, message) => {
      sync.onGaps(message.conversationId, model.applyMessages(message.conversationId, [message], true))
      cache.markDelivered([entry.clientMessageId])
      await cache.flush()
      post({ type: 'delivered', message })
    },
    onChange: () => state.setOutbox(outbox.entries),
    announce: () => post({ type: 'outbox' }),
  })
  const model = new ChatModel(state, cache, outbox, me.id)
  loadCached(model, cached)
  await outbox.load()
  state.setOutbox(outbox.entries)
  state.flush()
  const sync = new Sync(model, transport, timing, report)

  if (channel) {
    channel.onmessage = (event: MessageEvent<TabMessage>) => {
      const data = event.data
      if (data.type === 'outbox') outbox.reload().catch(report)
      else {
        const { conversationId } = data.message
        sync.onGaps(conversationId, model.applyMessages(conversationId, [data.message], true))
      }
    }
  }

  return {
    db,
    transport,
    model,
    sync,
    outbox,
    timing,
    network: options.network,
    report,
    async close() {
      sync.stop()
      transport.socket.disconnect()
      channel?.close()
      await outbox.stop()
      await cache.flush()
      if (ownDb) db.close()
    },
  }
}

function loadCached(model: ChatModel, cached: CachedState) {
  const { state, meId } = model
  for (const summary of cached.conversations) model.putSummary(summary)
  const metas = new Map(cached.meta.map((m) => [m.conversationId, m]))
  const byConversation = new Map<string, Message[]>()
  for (const m of cached.messages) {
    const list = byConversation.get(m.conversationId)
    if (list) list.push(m)
    else byConversation.set(m.conversationId, [m])
  }
  for (const [id, messages] of byConversation) {
    const meta = metas.get(id)
    state.timelines.set(id, createTimeline(id, meId, messages, meta?.rev ?? null, meta?.floorSeq ?? null))
    state.changedMessages(id)
  }
  for (const [id, meta] of metas) {
    if (!state.timelines.has(id))
      state.timelines.set(id, createTimeline(id, meId, [], meta.rev, meta.floorSeq))
  }
}

/** One attempt at one outbox message: the socket with an ack timeout, then HTTP (protocol §6). */
export function deliverOver(transport: ChatTransport, ackTimeoutMs: number) {
  return (entry: OutboxEntry, signal: AbortSignal): Promise<Message> => {
    const { conversationId, content, clientMessageId, replyToId, mentions, mentionsHere } = entry
    const attachmentIds = (entry.files ?? []).flatMap((f) => (f.attachment ? [f.attachment.id] : []))
    const mentioned = { ...(mentions?.length && { mentions }), ...(mentionsHere && { mentionsHere }) }
    const fields = { content, clientMessageId, ...(replyToId && { replyToId }), ...mentioned }
    // Files (all uploaded by now) travel as the ids of their uploads.
    const body = attachmentIds.length > 0 ? { ...fields, attachmentIds } : fields
    const payload = { conversationId, ...body }
    return callServer(transport.socket, ackTimeoutMs, 'message:send', payload, () => {
      // The tab closed while the socket was waiting: nothing more goes out from it.
      if (signal.aborted) throw abortError()
      return transport.http.request<Message>(
        'POST',
        `/api/chat/conversations/${conversationId}/messages`,
        body,
      )
    })
  }
}
