import {
  type ConversationSummary,
  type EventSettings,
  type Message,
  mutedDetails,
  type UserStatusEvent,
} from '@secura/shared'
import type { OutboxEntry } from './db.ts'
import { byActivity } from './summaries.ts'
import { hasOlder, type Timeline } from './timeline.ts'
import type { ChatSnapshot, ConnectionState, HistoryWindow, LocalMessage, Muted } from './types.ts'
import type { HistoryWindowState } from './window.ts'

type Status = UserStatusEvent['status']

/**
 * The in-memory state of the chat and its snapshot. The snapshot is immutable: each change makes a new
 * object that shares every part that did not change, so React and zustand compare by reference.
 * Listeners hear once per microtask however many changes it held.
 */
export class ChatState {
  connection: ConnectionState = 'connecting'
  readonly summaries = new Map<string, ConversationSummary>()
  readonly timelines = new Map<string, Timeline>()
  /** History opened at a message far behind the tail, per conversation, while it is shown (window.ts). */
  readonly windows = new Map<string, HistoryWindowState>()
  /** conversation → user → when the indicator expires (a local backstop to the server's own stop). */
  readonly typing = new Map<string, Map<string, number>>()
  readonly reads = new Map<string, Record<string, number>>()
  presence: Record<string, Status> = {}
  outbox: readonly OutboxEntry[] = []
  /** Per file of a queued message (its localId): the fraction uploaded so far. */
  uploads: Record<string, number> = {}
  /** The standing the server last announced (user:moderated); until then, what held messages say. */
  announcedMute: Muted | null | undefined
  /** The event's end, once announced (event:ended, or a write refused because of it). */
  eventEndedAt: string | undefined
  /** The lobby's announcements not dismissed, newest first; the event's lobby settings once told. */
  announcements: readonly Message[] = []
  eventSettings: EventSettings | null = null

  private snapshot: ChatSnapshot = {
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
  private readonly listeners = new Set<(snapshot: ChatSnapshot) => void>()
  private scheduled = false
  private dirty = emptyDirty()
  private readonly sent = new WeakMap<Message, LocalMessage>()
  private readonly queued = new WeakMap<OutboxEntry, LocalMessage>()

  getSnapshot = (): ChatSnapshot => this.snapshot

  subscribe(listener: (snapshot: ChatSnapshot) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  changedConversations(): void {
    this.mark((d) => (d.conversations = true))
  }
  changedMessages(conversationId: string): void {
    this.mark((d) => d.messages.add(conversationId))
  }
  changedTyping(): void {
    this.mark((d) => (d.typing = true))
  }
  changedReads(): void {
    this.mark((d) => (d.reads = true))
  }
  changedPresence(): void {
    this.mark((d) => (d.presence = true))
  }
  changedConnection(): void {
    this.mark(() => undefined)
  }

  setEventEnded(endsAt: string): void {
    this.eventEndedAt = endsAt
    this.mark(() => undefined)
  }
  setAnnouncements(list: readonly Message[]): void {
    this.announcements = [...list].sort((a, b) => b.seq - a.seq)
    this.mark(() => undefined)
  }
  addAnnouncement(message: Message): void {
    if (message.deletedAt) {
      this.removeAnnouncement(message.id)
      return
    }
    this.setAnnouncements([...this.announcements.filter((m) => m.id !== message.id), message])
  }
  removeAnnouncement(messageId: string): void {
    if (!this.announcements.some((m) => m.id === messageId)) return
    this.setAnnouncements(this.announcements.filter((m) => m.id !== messageId))
  }
  setEventSettings(settings: EventSettings): void {
    this.eventSettings = settings
    this.mark(() => undefined)
  }

  setMuted(muted: Muted | null): void {
    this.announcedMute = muted
    this.mark(() => undefined)
  }

  private currentMute(): Muted | null {
    let muted = this.announcedMute
    if (muted === undefined) {
      const held = this.outbox.find((e) => e.state === 'pending' && mutedDetails(e.error?.details))
      const details = held && mutedDetails(held.error?.details)
      muted = details ? { until: details.until, reason: details.reason } : null
    }
    return muted && Date.parse(muted.until) > Date.now() ? muted : null
  }

  setUploads(uploads: Record<string, number>): void {
    this.uploads = uploads
    this.mark((d) => (d.uploads = true))
  }

  setOutbox(entries: readonly OutboxEntry[]): void {
    const before = this.outbox
    this.outbox = entries
    // A send just refused because the lobby is announcement-only says so before any event or sync can.
    const wasFailed = new Set(before.filter((e) => e.state === 'failed').map((e) => e.clientMessageId))
    const refused = entries.some(
      (e) => e.state === 'failed' && !wasFailed.has(e.clientMessageId) && isAnnouncementOnlyRefusal(e.error),
    )
    if (refused && !this.eventSettings?.announcementOnly)
      this.eventSettings = {
        announcementOnly: true,
        moderatorsAnnounce: this.eventSettings?.moderatorsAnnounce ?? false,
      }
    this.mark((d) => {
      for (const e of before) d.messages.add(e.conversationId)
      for (const e of entries) d.messages.add(e.conversationId)
    })
  }

  /** Builds the next snapshot now (tests and the end of a batch). */
  flush(): void {
    this.scheduled = false
    const d = this.dirty
    this.dirty = emptyDirty()
    const prev = this.snapshot
    const messages = d.messages.size > 0 ? this.buildMessages(prev.messages, d.messages) : prev.messages
    this.snapshot = {
      connection: this.connection,
      outboxSize: this.outbox.length,
      conversations: d.conversations ? [...this.summaries.values()].sort(byActivity) : prev.conversations,
      messages,
      hasOlder: d.messages.size > 0 ? this.buildHasOlder() : prev.hasOlder,
      windows: d.messages.size > 0 ? this.buildWindows(prev.windows, d.messages) : prev.windows,
      typing: d.typing ? this.buildTyping() : prev.typing,
      reads: d.reads ? Object.fromEntries(this.reads) : prev.reads,
      presence: d.presence ? { ...this.presence } : prev.presence,
      muted: sameMute(prev.muted, this.currentMute()) ? prev.muted : this.currentMute(),
      ...(this.eventEndedAt !== undefined && { eventEndedAt: this.eventEndedAt }),
      uploads: d.uploads ? this.uploads : prev.uploads,
      announcements: this.announcements,
      eventSettings: this.eventSettings,
    }
    for (const listener of this.listeners) listener(this.snapshot)
  }

  private mark(change: (dirty: Dirty) => void) {
    change(this.dirty)
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => this.flush())
  }

  private buildMessages(prev: ChatSnapshot['messages'], changed: Set<string>) {
    const next = { ...prev }
    for (const id of changed) {
      const list = this.localMessages(id)
      if (list.length > 0) next[id] = list
      else delete next[id]
    }
    return next
  }

  /** Stored messages by seq, then my queued ones not yet among them, in outbox order. */
  private localMessages(conversationId: string): LocalMessage[] {
    const timeline = this.timelines.get(conversationId)
    const list: LocalMessage[] = []
    for (const m of timeline?.messages ?? []) {
      const local = this.sent.get(m) ?? { ...m, state: 'sent' }
      this.sent.set(m, local)
      list.push(local)
    }
    for (const e of this.outbox) {
      if (e.conversationId !== conversationId || timeline?.ownClientIds.has(e.clientMessageId)) continue
      const local = this.queued.get(e) ?? toLocal(e)
      this.queued.set(e, local)
      list.push(local)
    }
    return list
  }

  private buildWindows(prev: ChatSnapshot['windows'], changed: Set<string>) {
    let next = prev
    for (const id of changed) {
      const w = this.windows.get(id)
      if (!w && !(id in next)) continue
      if (next === prev) next = { ...prev }
      if (w) next[id] = this.windowView(w)
      else delete next[id]
    }
    return next
  }

  private windowView(w: HistoryWindowState): HistoryWindow {
    const messages: LocalMessage[] = w.timeline.messages.map((m) => {
      const local = this.sent.get(m) ?? { ...m, state: 'sent' as const }
      this.sent.set(m, local)
      return local
    })
    return { messages, hasOlder: hasOlder(w.timeline), hasNewer: w.hasNewer, targetSeq: w.targetSeq }
  }

  private buildHasOlder() {
    const result: Record<string, boolean> = {}
    for (const [id, t] of this.timelines) result[id] = hasOlder(t)
    return result
  }

  private buildTyping() {
    const result: Record<string, string[]> = {}
    for (const [id, users] of this.typing) if (users.size > 0) result[id] = [...users.keys()]
    return result
  }
}

interface Dirty {
  conversations: boolean
  messages: Set<string>
  typing: boolean
  reads: boolean
  presence: boolean
  uploads: boolean
}

const emptyDirty = (): Dirty => ({
  conversations: false,
  messages: new Set(),
  typing: false,
  reads: false,
  presence: false,
  uploads: false,
})

function toLocal(e: OutboxEntry): LocalMessage {
  return {
    state: e.state,
    clientMessageId: e.clientMessageId,
    conversationId: e.conversationId,
    senderId: e.senderId,
    content: e.content,
    replyToId: e.replyToId,
    ...(e.mentions && { mentions: e.mentions }),
    ...(e.mentionsHere && { mentionsHere: true }),
    ...(e.files && {
      files: e.files.map(({ attachment, ...file }) => ({ ...file, uploaded: attachment !== undefined })),
    }),
    timestamp: e.createdAt,
    ...(e.error && { error: e.error }),
  }
}

const isAnnouncementOnlyRefusal = (error: OutboxEntry['error']) =>
  error?.code === 'FORBIDDEN' &&
  (error.details as { reason?: unknown } | undefined)?.reason === 'announcement-only'

const sameMute = (a: Muted | null, b: Muted | null) =>
  a === b || (!!a && !!b && a.until === b.until && a.reason === b.reason)
