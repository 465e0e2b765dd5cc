import type {
  Conversation,
  ConversationSummary,
  Message,
  MessageDeletedEvent,
  MessageEditedEvent,
  MessagePage,
  MessagePinnedEvent,
  MessageReactionEvent,
  MessageReceivedEvent,
  SyncResponse,
} from '@secura/shared'
import type { CacheWriter } from './cache.ts'
import type { Outbox } from './outbox.ts'
import type { ChatState } from './state.ts'
import {
  withConversation,
  withDeletedUnread,
  withFresh,
  withMessage,
  withRead,
  withReceived,
} from './summaries.ts'
import {
  createTimeline,
  newestSeq,
  noteRev,
  patchMessage,
  pinOf,
  replaceMessages,
  revAtLeast,
  type Timeline,
  upsertMessage,
} from './timeline.ts'
import { patchInWindow, upsertInWindow } from './window.ts'

export interface Gaps {
  /** A message:new skipped seqs, or a change came for a message not held: fetch at once. */
  seq: boolean
  /** A change arrived before one below it: fetch if the hole does not close by itself. */
  rev: boolean
}

/**
 * Applies what the server says — live events, acks, sync pages, history pages — to the state, writes it
 * through to the cache and settles the outbox entries it proves delivered. Everything is applied by rev:
 * an older version of a message never replaces a newer one, so the same change arriving twice (as an ack
 * and as message:new, or live and in a sync) is harmless.
 */
export class ChatModel {
  constructor(
    readonly state: ChatState,
    private readonly cache: CacheWriter,
    private readonly outbox: Outbox,
    readonly meId: string,
  ) {}

  timeline(conversationId: string): Timeline {
    const t = this.state.timelines.get(conversationId) ?? createTimeline(conversationId, this.meId)
    this.state.timelines.set(conversationId, t)
    return t
  }

  findMessage(messageId: string): Message | undefined {
    for (const t of this.state.timelines.values()) {
      const m = t.byId.get(messageId)
      if (m) return m
    }
    return undefined
  }

  /** Messages from the server. `live`: their revs count as seen (an event or an ack, not a sync page). */
  applyMessages(conversationId: string, messages: Message[], live: boolean): Gaps {
    const t = this.timeline(conversationId)
    const gaps: Gaps = { seq: false, rev: false }
    const changed: Message[] = []
    for (const m of messages) {
      const isNew = !t.byId.has(m.id)
      if (live && isNew && t.rev !== null && m.seq > newestSeq(t) + 1) gaps.seq = true
      if (upsertMessage(t, m, this.meId) === 'applied') {
        // What is held now: the copy merged with any newer part held before.
        const held = t.byId.get(m.id)!
        changed.push(held)
        this.summaryWith(conversationId, (s) => withMessage(s, held, this.meId))
      }
      const w = this.state.windows.get(conversationId)
      if (w && upsertInWindow(w, m, this.meId)) this.state.changedMessages(conversationId)
      if (live) gaps.rev = noteRev(t, m.rev) || gaps.rev
      // Their message ends their typing (the server stops it too; this is quicker).
      if (live && isNew) this.clearTyping(conversationId, m.senderId)
    }
    this.settleOutbox(messages)
    this.written(t, changed)
    return gaps
  }

  applyEdit(e: MessageEditedEvent): Gaps {
    return this.applyPatch(e.conversationId, e.messageId, e.rev, {
      text: { content: e.newContent, editedAt: e.editedAt },
    })
  }

  applyDelete(e: MessageDeletedEvent): Gaps {
    const before = this.state.timelines.get(e.conversationId)?.byId.get(e.messageId)
    const gap = this.applyPatch(e.conversationId, e.messageId, e.rev, {
      text: { content: '', deletedAt: e.deletedAt, deletedBy: e.deletedBy },
      reactions: [],
    })
    if (before && !before.deletedAt)
      this.summaryWith(e.conversationId, (s) => withDeletedUnread(s, before, this.meId))
    return gap
  }

  applyPin(e: MessagePinnedEvent): Gaps {
    return this.applyPatch(e.conversationId, e.messageId, e.rev, {
      pin: { pinnedAt: e.pinnedAt ?? undefined, pinnedBy: e.pinnedBy ?? undefined },
    })
  }

  applyReaction(e: MessageReactionEvent): Gaps {
    return this.applyPatch(e.conversationId, e.messageId, e.rev, { reactions: e.reactions })
  }

  /** A sync page: the current state of every message changed after the cursor, in rev order. */
  applySyncChange(change: SyncResponse['changes'][number]): void {
    const t = this.timeline(change.conversationId)
    this.applyMessages(change.conversationId, change.messages, false)
    const last = change.messages.at(-1)?.rev ?? 0
    revAtLeast(t, change.hasMore ? last : Math.max(change.lastRev, last))
    this.summaryWith(change.conversationId, (s) => ({
      ...s,
      lastSeq: Math.max(s.lastSeq, change.lastSeq),
      lastRev: Math.max(s.lastRev, change.lastRev),
    }))
    this.cache.putMeta(t)
  }

  /** The latest page replaces what was loaded: current as of `rev`, the head read just before it. */
  resetTimeline(conversationId: string, messages: Message[], rev: number): void {
    const t = this.timeline(conversationId)
    // Messages that came live while the page was on its way are newer than it: they stay, and so do
    // their revs above `rev`. So do changes that came live to messages of the page: each part of a held
    // copy newer than the page's copy is applied again over it (its rev counts as seen).
    const newest = messages.at(-1)?.seq ?? 0
    const held = messages.flatMap((m) => {
      const h = t.byId.get(m.id)
      return h ? [{ h, revs: t.partRevs.get(h.id) ?? { text: h.rev, reactions: h.rev } }] : []
    })
    replaceMessages(t, [...messages, ...t.messages.filter((m) => m.seq > newest)], this.meId)
    for (const { h, revs } of held) {
      const { content, editedAt, deletedAt, deletedBy } = h
      patchMessage(t, h.id, revs.text, { text: { content, editedAt, deletedAt, deletedBy } })
      patchMessage(t, h.id, revs.reactions, { reactions: h.reactions })
      if (revs.pin !== undefined) patchMessage(t, h.id, revs.pin, { pin: pinOf(h) })
    }
    t.rev = null
    t.floorSeq = messages[0]?.seq ?? 1
    revAtLeast(t, rev)
    this.cache.clearMessages(conversationId)
    this.settleOutbox(messages)
    for (const m of messages) {
      const current = t.byId.get(m.id) ?? m
      this.summaryWith(conversationId, (s) => withMessage(s, current, this.meId))
    }
    this.written(t, [...t.messages])
  }

  /** An older page (history before the window): it joins the window, which now starts lower. */
  applyOlderPage(conversationId: string, page: MessagePage): void {
    const t = this.timeline(conversationId)
    const changed = page.messages
      .filter((m) => upsertMessage(t, m, this.meId, true) === 'applied')
      .map((m) => t.byId.get(m.id)!)
    const first = page.messages[0]?.seq
    t.floorSeq = page.hasMore && first !== undefined ? Math.min(t.floorSeq ?? first, first) : 1
    this.settleOutbox(page.messages)
    this.written(t, changed)
    this.state.changedMessages(conversationId)
  }

  upsertConversation(conversation: Conversation): void {
    const current = this.state.summaries.get(conversation.id)
    const member = conversation.kind === 'event' || conversation.members.some((m) => m.userId === this.meId)
    if (member) this.putSummary(withConversation(current, conversation, this.meId))
    else this.removeConversation(conversation.id)
  }

  /** GET /conversations: the server's list replaces ours, keeping anything newer that arrived meanwhile. */
  replaceSummaries(list: ConversationSummary[]): void {
    const ids = new Set(list.map((s) => s.id))
    for (const id of this.state.summaries.keys()) if (!ids.has(id)) this.removeConversation(id)
    for (const fresh of list) {
      const local = this.state.summaries.get(fresh.id)
      this.putSummary(withFresh(local, fresh, this.state.timelines.get(fresh.id), this.meId))
    }
  }

  /** I left, was removed, or the conversation is gone: nothing of it stays, here or in the cache. */
  removeConversation(conversationId: string): void {
    this.state.summaries.delete(conversationId)
    this.state.timelines.delete(conversationId)
    this.state.windows.delete(conversationId)
    this.state.reads.delete(conversationId)
    this.state.typing.delete(conversationId)
    this.cache.removeConversation(conversationId)
    this.state.changedConversations()
    this.state.changedMessages(conversationId)
    this.state.changedReads()
    this.state.changedTyping()
  }

  summaryWith(conversationId: string, change: (s: ConversationSummary) => ConversationSummary): void {
    const current = this.state.summaries.get(conversationId)
    if (!current) return
    const next = change(current)
    if (next !== current) this.putSummary(next)
  }

  putSummary(summary: ConversationSummary): void {
    this.state.summaries.set(summary.id, summary)
    this.cache.putSummaries([summary])
    this.state.changedConversations()
    const marks: [string, number][] = summary.members.map((m) => [m.userId, m.lastReadSeq])
    this.moveReads(summary.id, [...marks, [this.meId, summary.lastReadSeq]])
  }

  /** Read receipts only move forward; the record is replaced only when one moved. */
  moveReads(conversationId: string, marks: [userId: string, seq: number][]): void {
    const current = this.state.reads.get(conversationId) ?? {}
    const moved = marks.filter(([userId, seq]) => seq > (current[userId] ?? 0))
    if (moved.length === 0) return
    this.state.reads.set(conversationId, { ...current, ...Object.fromEntries(moved) })
    this.state.changedReads()
  }

  /** My read mark moved (here, or in another tab): my unread count and my receipt follow. */
  markedRead(conversationId: string, seq: number): void {
    const timeline = this.state.timelines.get(conversationId)
    this.summaryWith(conversationId, (s) => withRead(s, seq, timeline, this.meId))
    this.moveReads(conversationId, [[this.meId, seq]])
  }

  /** A badge for a conversation not loaded live (conversation:message-received). */
  received(event: MessageReceivedEvent): void {
    this.summaryWith(event.conversationId, (s) => withReceived(s, event, this.meId))
  }

  setPresence(statuses: [userId: string, status: ChatState['presence'][string]][]): void {
    const changed = statuses.filter(([id, status]) => this.state.presence[id] !== status)
    if (changed.length === 0) return
    this.state.presence = { ...this.state.presence, ...Object.fromEntries(changed) }
    this.state.changedPresence()
  }

  clearTyping(conversationId: string, userId: string): void {
    if (this.state.typing.get(conversationId)?.delete(userId)) this.state.changedTyping()
  }

  private applyPatch(
    conversationId: string,
    messageId: string,
    rev: number,
    patch: Parameters<typeof patchMessage>[3],
  ): Gaps {
    const t = this.timeline(conversationId)
    const w = this.state.windows.get(conversationId)
    if (!t.byId.has(messageId) && w?.timeline.byId.has(messageId)) {
      // Shown in an opened window, below the tail: the tail would only drop it, so its rev counts as seen.
      if (patchInWindow(w, messageId, rev, patch)) this.state.changedMessages(conversationId)
      const gap = noteRev(t, rev)
      if (t.rev !== null) this.cache.putMeta(t)
      return { seq: false, rev: gap }
    }
    // A change to a message not held (its message:new was lost, or it is not loaded yet) cannot be applied.
    // Its rev must not count as seen: the cursor would pass it and no sync would bring the change. Fetch.
    if (!t.byId.has(messageId)) return { seq: t.rev !== null && rev > t.rev, rev: false }
    if (w && patchInWindow(w, messageId, rev, patch)) this.state.changedMessages(conversationId)
    if (patchMessage(t, messageId, rev, patch)) {
      const message = t.byId.get(messageId)!
      this.summaryWith(conversationId, (s) => withMessage(s, message, this.meId))
      this.written(t, [message])
    }
    const gap = noteRev(t, rev)
    if (t.rev !== null) this.cache.putMeta(t)
    return { seq: false, rev: gap }
  }

  /** My messages the server has: their outbox entries go, in the same write as the messages. */
  private settleOutbox(messages: Message[]) {
    const delivered = messages.filter((m) => m.senderId === this.meId).map((m) => m.clientMessageId)
    if (delivered.length === 0) return
    const queued = new Set(this.outbox.entries.map((e) => e.clientMessageId))
    const settled = delivered.filter((id) => queued.has(id))
    if (settled.length === 0) return
    this.cache.markDelivered(settled)
    this.outbox.forget(settled)
  }

  private written(t: Timeline, changed: Message[]) {
    if (changed.length > 0) {
      this.cache.putMessages(changed)
      this.state.changedMessages(t.conversationId)
    }
    if (t.rev !== null) this.cache.putMeta(t)
  }
}
