import type { ConversationSummary, Message } from '@secura/shared'
import { type ChatDb, type ConversationMeta, writeCache } from './db.ts'
import type { Timeline } from './timeline.ts'

/**
 * Writes the in-memory state through to IndexedDB, batched: every change made in one task goes in one
 * transaction, so the cached messages and the rev they are current to never disagree after a crash.
 */
export class CacheWriter {
  private messages = new Map<string, Message>()
  private meta = new Map<string, ConversationMeta>()
  private clear = new Set<string>()
  private summaries = new Map<string, ConversationSummary>()
  private removed = new Set<string>()
  private delivered = new Set<string>()
  private written: Promise<void> = Promise.resolve()
  private scheduled: Promise<void> | undefined

  constructor(
    private readonly db: ChatDb,
    private readonly onError: (error: unknown) => void,
  ) {}

  putMessages(messages: Iterable<Message>): void {
    for (const m of messages) this.messages.set(m.id, m)
    this.schedule()
  }

  /** Where the conversation's cached messages start and the rev they are current to. */
  putMeta(t: Timeline): void {
    if (t.rev === null) return
    this.meta.set(t.conversationId, {
      conversationId: t.conversationId,
      rev: t.rev,
      floorSeq: t.floorSeq ?? 1,
    })
    this.schedule()
  }

  /** The conversation's cached messages are replaced by what is put after this. */
  clearMessages(conversationId: string): void {
    this.dropPending(conversationId)
    this.clear.add(conversationId)
    this.schedule()
  }

  putSummaries(summaries: Iterable<ConversationSummary>): void {
    for (const s of summaries) this.summaries.set(s.id, s)
    this.schedule()
  }

  removeConversation(conversationId: string): void {
    this.dropPending(conversationId)
    this.meta.delete(conversationId)
    this.summaries.delete(conversationId)
    this.removed.add(conversationId)
    this.schedule()
  }

  /** Outbox entries to remove in the same transaction as the messages that prove the server has them. */
  markDelivered(clientMessageIds: Iterable<string>): void {
    for (const id of clientMessageIds) this.delivered.add(id)
    this.schedule()
  }

  /** Resolves once everything asked for so far is in IndexedDB. */
  flush(): Promise<void> {
    return this.scheduled ?? this.written
  }

  private schedule() {
    if (this.scheduled) return
    this.scheduled = new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => {
      this.scheduled = undefined
      const batch = {
        messages: [...this.messages.values()],
        meta: [...this.meta.values()],
        clearMessages: [...this.clear],
        conversations: [...this.summaries.values()],
        removeConversations: [...this.removed],
        delivered: [...this.delivered],
      }
      this.messages = new Map()
      this.meta = new Map()
      this.clear = new Set()
      this.summaries = new Map()
      this.removed = new Set()
      this.delivered = new Set()
      this.written = this.written.then(() => writeCache(this.db, batch)).catch(this.onError)
      return this.written
    })
  }

  private dropPending(conversationId: string) {
    for (const [id, m] of this.messages) if (m.conversationId === conversationId) this.messages.delete(id)
  }
}
