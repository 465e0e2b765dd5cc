import {
  type Conversation,
  type DirectoryUser,
  LIMITS,
  type MarkReadResponse,
  type Message,
  type MessagePage,
  type NotificationPreferences,
  type SearchResults,
  TYPING_REFRESH_MS,
  type UserList,
} from '@secura/shared'
import { announce, dismissAnnouncement, loadPins, pinMessage, refreshAnnouncements } from './announcements.ts'
import { chatApi, command, conversationCall, editMessage, removeMessage, toggleReaction } from './commands.ts'
import type { KnownUser, Mentions } from './db.ts'
import { ApiError } from './http.ts'
import { bindLiveEvents } from './live.ts'
import { findUsers, rememberUsers } from './people.ts'
import { isRetryable } from './retry.ts'
import type { ChatRuntime } from './runtime.ts'
import type { ChatState } from './state.ts'
import { hasOlder, newestSeq, oldestSeq } from './timeline.ts'
import type { ChatSnapshot, ChatStorage, OutgoingFile } from './types.ts'
import { applyWindowPage, closeWindow, openWindow } from './window.ts'

/** Messages above a linked one that loadUntil also loads, so it shows in context. */
const LINK_CONTEXT = 10
/** How far back loadUntil goes, in pages of LIMITS.pageMax: a bound on memory and requests. */
const LINK_MAX_PAGES = 100

/** Away takes minutes without activity: once a minute is plenty, and costs the server next to nothing. */
const ACTIVITY_EVERY_MS = 60_000

/** ChatStorage (types.ts) over a started runtime: commands, and the wiring of connection events. */
export class ChatEngine implements ChatStorage {
  private readonly unbind: (() => void)[] = []
  private readonly typingSentAt = new Map<string, number>()
  private activitySentAt = 0
  private readonly unsentReads = new Map<string, number>()
  /** Per conversation, how many times a window was opened or left: a page that comes late is dropped. */
  private readonly windowOpens = new Map<string, number>()
  private presenceIds: string[] = []
  private booting: Promise<ChatRuntime> | undefined
  private stopped = false
  /** Times in a row the server closed the socket, and the pending reconnect. */
  private kicks = 0
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined
  /** Settles when start() has built the runtime: every command waits for it. */
  private readonly runtime: Promise<ChatRuntime>
  private started!: (runtime: Promise<ChatRuntime>) => void

  constructor(
    private readonly boot: () => Promise<ChatRuntime>,
    private readonly state: ChatState,
  ) {
    this.runtime = new Promise((resolve) => {
      this.started = resolve
    })
  }

  start(): Promise<void> {
    if (!this.booting) {
      this.booting = this.boot()
      this.started(this.booting)
    }
    return this.booting.then((rt) => this.run(rt))
  }

  private run(rt: ChatRuntime) {
    if (this.stopped || this.unbind.length > 0) return
    const { socket } = rt.transport
    this.unbind.push(
      bindLiveEvents(socket, rt.model, rt.sync, rt.timing.typingBackstopMs, () => refreshAnnouncements(rt)),
      socket.on('user:moderated', (e) => {
        if (e.userId !== rt.model.meId) return
        rt.model.state.setMuted(e.mutedUntil ? { until: e.mutedUntil, reason: e.muteReason } : null)
        // Lifted early: what waited for the mute goes now.
        if (!e.mutedUntil) rt.outbox.wake()
      }),
      socket.on('event:ended', (e) => rt.model.state.setEventEnded(e.endsAt)),
      socket.onStatus((status) => {
        if (status.type === 'connect') this.onConnect(rt)
        else if (!socket.connected) this.setConnection(rt, rt.network.onLine() ? 'reconnecting' : 'offline')
        if (status.type === 'disconnect') {
          rt.sync.onDisconnect()
          if (status.reason === 'io server disconnect') this.reconnectLater(rt)
        }
      }),
      rt.network.subscribe((online) => this.onNetwork(rt, online)),
    )
    if (!rt.network.onLine()) this.setConnection(rt, 'offline')
    socket.connect()
    rt.sync.schedule(Math.min(rt.timing.pollMs, 2000))
    rt.outbox.kick()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.reconnectTimer)
    for (const off of this.unbind.splice(0)) off()
    void this.booting?.then((rt) => rt.close()).catch(() => undefined)
  }

  subscribe(listener: (snapshot: ChatSnapshot) => void): () => void {
    return this.state.subscribe(listener)
  }

  getSnapshot(): ChatSnapshot {
    return this.state.getSnapshot()
  }

  async openConversation(conversationId: string): Promise<void> {
    const rt = await this.runtime
    try {
      await rt.sync.openConversation(conversationId)
    } catch (error) {
      // Offline with the conversation cached: it shows, and syncs when the connection is back.
      if (isRetryable(error) && rt.model.state.timelines.get(conversationId)?.rev != null) return
      throw error
    }
  }

  closeConversation(conversationId: string): void {
    this.setTyping(conversationId, false)
    this.leaveWindow(conversationId)
    void this.runtime.then((rt) => rt.sync.closeConversation(conversationId))
  }

  async openAround(conversationId: string, at: { seq: number } | { messageId: string }): Promise<void> {
    const rt = await this.runtime
    const { state } = rt.model
    const opening = (this.windowOpens.get(conversationId) ?? 0) + 1
    this.windowOpens.set(conversationId, opening)
    let t = state.timelines.get(conversationId)
    if (!t || t.rev === null) {
      await rt.sync.openConversation(conversationId)
      t = state.timelines.get(conversationId)
    }
    const loaded =
      'seq' in at ? t?.floorSeq != null && at.seq >= t.floorSeq : t?.byId.has(at.messageId) === true
    if (loaded) return closeWindow(rt.model, conversationId)
    const query = 'seq' in at ? `aroundSeq=${at.seq}` : `aroundId=${at.messageId}`
    const path = `${chatApi}/conversations/${conversationId}/messages?${query}&limit=${LIMITS.pageDefault}`
    const page = await rt.transport.http.request<MessagePage>('GET', path)
    // Opened again, or left, while the page was on its way: that one counts.
    if (this.windowOpens.get(conversationId) !== opening) return
    const target = 'seq' in at ? at.seq : (page.messages.find((m) => m.id === at.messageId)?.seq ?? 0)
    openWindow(rt.model, conversationId, page, target)
  }

  async loadNewer(conversationId: string): Promise<void> {
    const rt = await this.runtime
    const w = rt.model.state.windows.get(conversationId)
    if (!w?.hasNewer) return
    const after = newestSeq(w.timeline)
    const path = `${chatApi}/conversations/${conversationId}/messages?afterSeq=${after}&limit=${LIMITS.pageDefault}`
    applyWindowPage(rt.model, w, await rt.transport.http.request<MessagePage>('GET', path), 'newer')
  }

  leaveWindow(conversationId: string): void {
    this.windowOpens.set(conversationId, (this.windowOpens.get(conversationId) ?? 0) + 1)
    void this.runtime.then((rt) => closeWindow(rt.model, conversationId))
  }

  async loadOlder(conversationId: string): Promise<void> {
    const rt = await this.runtime
    const w = rt.model.state.windows.get(conversationId)
    if (w) {
      if (!hasOlder(w.timeline)) return
      const path = `${chatApi}/conversations/${conversationId}/messages?beforeSeq=${oldestSeq(w.timeline)}&limit=${LIMITS.pageDefault}`
      return applyWindowPage(rt.model, w, await rt.transport.http.request<MessagePage>('GET', path), 'older')
    }
    const t = rt.model.state.timelines.get(conversationId)
    if (!t || t.rev === null) return rt.sync.openConversation(conversationId)
    if (!hasOlder(t)) return
    const before = t.floorSeq ?? oldestSeq(t)
    const path = `${chatApi}/conversations/${conversationId}/messages?beforeSeq=${before}&limit=${LIMITS.pageDefault}`
    const page = await rt.transport.http.request<MessagePage>('GET', path)
    rt.model.applyOlderPage(conversationId, page)
  }

  async loadUntil(conversationId: string, seq: number): Promise<void> {
    const rt = await this.runtime
    let t = rt.model.state.timelines.get(conversationId)
    if (!t || t.rev === null) {
      await rt.sync.openConversation(conversationId)
      t = rt.model.state.timelines.get(conversationId)
    }
    // A few messages above the target too, so it shows in its context rather than at the window's edge.
    const wanted = Math.max(1, seq - LINK_CONTEXT)
    for (let pages = 0; t && hasOlder(t) && (t.floorSeq ?? oldestSeq(t)) > wanted; pages++) {
      if (pages >= LINK_MAX_PAGES)
        throw new ApiError('VALIDATION', 400, 'That message is too far back to open')
      const before = t.floorSeq ?? oldestSeq(t)
      const path = `${chatApi}/conversations/${conversationId}/messages?beforeSeq=${before}&limit=${LIMITS.pageMax}`
      rt.model.applyOlderPage(conversationId, await rt.transport.http.request<MessagePage>('GET', path))
    }
  }

  async searchMessages(
    query: string,
    options: { conversationId?: string; cursor?: string } = {},
  ): Promise<SearchResults> {
    const rt = await this.runtime
    const params = new URLSearchParams({ q: query })
    if (options.conversationId) params.set('conversationId', options.conversationId)
    if (options.cursor) params.set('cursor', options.cursor)
    return rt.transport.http.request<SearchResults>('GET', `${chatApi}/search?${params}`)
  }

  async send(
    conversationId: string,
    content: string,
    replyToId?: string,
    mentions?: Mentions,
    files: OutgoingFile[] = [],
  ): Promise<void> {
    checkFiles(content, files)
    const rt = await this.runtime
    this.typingSentAt.delete(conversationId)
    await rt.outbox.enqueue(conversationId, content, replyToId ?? null, mentions, files)
  }

  async retry(clientMessageId: string): Promise<void> {
    await (await this.runtime).outbox.retry(clientMessageId)
  }

  async discard(clientMessageId: string): Promise<void> {
    await (await this.runtime).outbox.discard(clientMessageId)
  }

  async removeFile(clientMessageId: string, localId: string): Promise<void> {
    await (await this.runtime).outbox.removeFile(clientMessageId, localId)
  }

  async editFailed(clientMessageId: string, content: string): Promise<void> {
    const rt = await this.runtime
    const entry = rt.outbox.entries.find((e) => e.clientMessageId === clientMessageId)
    // A caption beside photos may be empty.
    if (content.trim() === '' && !entry?.files?.length)
      throw new ApiError('VALIDATION', 400, 'A message cannot be empty')
    await rt.outbox.editFailed(clientMessageId, content)
  }

  async edit(messageId: string, content: string): Promise<void> {
    await editMessage(await this.runtime, messageId, content)
  }

  async remove(messageId: string): Promise<void> {
    await removeMessage(await this.runtime, messageId)
  }

  async react(messageId: string, emoji: string): Promise<void> {
    await toggleReaction(await this.runtime, messageId, emoji)
  }

  /** Moves the read mark at once; a mark that cannot be sent now is sent when the connection is back. */
  async markRead(conversationId: string, seq: number): Promise<void> {
    const rt = await this.runtime
    const summary = rt.model.state.summaries.get(conversationId)
    if (summary && seq <= summary.lastReadSeq && !this.unsentReads.has(conversationId)) return
    rt.model.markedRead(conversationId, seq)
    try {
      await command(rt, 'conversation:read', { conversationId, seq }, async () => {
        const path = `${chatApi}/conversations/${conversationId}/mark-as-read`
        const result = await rt.transport.http.request<MarkReadResponse>('POST', path, { seq })
        rt.model.summaryWith(conversationId, (s) => ({
          ...s,
          unreadCount: result.unreadCount,
          mentionCount: result.mentionCount,
        }))
        return { conversationId, lastReadSeq: result.lastReadSeq }
      })
      if ((this.unsentReads.get(conversationId) ?? 0) <= seq) this.unsentReads.delete(conversationId)
    } catch (error) {
      if (!isRetryable(error)) throw error
      this.unsentReads.set(conversationId, Math.max(seq, this.unsentReads.get(conversationId) ?? 0))
    }
  }

  /** Typing goes over the socket only (it is worth nothing late), refreshed every few seconds. */
  setTyping(conversationId: string, isTyping: boolean): void {
    void this.runtime.then(({ transport: { socket } }) => {
      if (!socket.connected) return
      const sentAt = this.typingSentAt.get(conversationId)
      if (isTyping) {
        if (sentAt !== undefined && Date.now() - sentAt < TYPING_REFRESH_MS) return
        this.typingSentAt.set(conversationId, Date.now())
        socket.emit('message:typing', { conversationId, isTyping: true })
      } else if (sentAt !== undefined) {
        this.typingSentAt.delete(conversationId)
        socket.emit('message:stop-typing', { conversationId })
      }
    })
  }

  reportActivity(): void {
    void this.runtime.then(({ transport: { socket } }) => {
      if (!socket.connected || Date.now() - this.activitySentAt < ACTIVITY_EVERY_MS) return
      this.activitySentAt = Date.now()
      socket.emit('presence:activity', {})
    })
  }

  onNotificationPreferences(listener: (preferences: NotificationPreferences) => void): () => void {
    let off: (() => void) | undefined
    let stopped = false
    void this.runtime.then(({ transport: { socket } }) => {
      if (!stopped) off = socket.on('notifications:updated', listener)
    })
    return () => {
      stopped = true
      off?.()
    }
  }

  async createDirect(userId: string): Promise<Conversation> {
    return conversationCall(await this.runtime, 'POST', '/conversations', { kind: 'direct', userId })
  }

  async createGroup(title: string, userIds: string[]): Promise<Conversation> {
    return conversationCall(await this.runtime, 'POST', '/conversations', { kind: 'group', title, userIds })
  }

  async addMembers(conversationId: string, userIds: string[]): Promise<Conversation> {
    const path = `/conversations/${conversationId}/members`
    return conversationCall(await this.runtime, 'POST', path, { userIds })
  }

  async removeMembers(conversationId: string, userIds: string[]): Promise<Conversation> {
    const path = `/conversations/${conversationId}/members`
    return conversationCall(await this.runtime, 'DELETE', path, { userIds })
  }

  async renameGroup(conversationId: string, title: string): Promise<Conversation> {
    return conversationCall(await this.runtime, 'PUT', `/conversations/${conversationId}/title`, { title })
  }

  async searchUsers(query: string): Promise<DirectoryUser[]> {
    const rt = await this.runtime
    const { users } = await rt.transport.http.request<UserList>(
      'GET',
      `${chatApi}/users?q=${encodeURIComponent(query)}`,
    )
    await rememberUsers(rt, users)
    return users
  }

  async findUsers(userIds: string[]): Promise<KnownUser[]> {
    return findUsers(await this.runtime, userIds)
  }

  async pin(messageId: string, pinned: boolean): Promise<void> {
    await pinMessage(await this.runtime, messageId, pinned)
  }

  async loadPins(conversationId: string): Promise<Message[]> {
    return loadPins(await this.runtime, conversationId)
  }

  async dismissAnnouncement(messageId: string): Promise<void> {
    await dismissAnnouncement(await this.runtime, messageId)
  }

  async announce(conversationId: string, content: string): Promise<Message> {
    if (content.trim() === '') throw new ApiError('VALIDATION', 400, 'An announcement cannot be empty')
    return announce(await this.runtime, conversationId, content)
  }

  async watchPresence(userIds: string[]): Promise<void> {
    const rt = await this.runtime
    this.presenceIds = [...new Set(userIds)].slice(0, LIMITS.presenceSubscribe)
    if (rt.transport.socket.connected) await this.subscribePresence(rt)
  }

  // ---- wiring ----

  private onConnect(rt: ChatRuntime) {
    this.kicks = 0
    this.setConnection(rt, 'connected')
    rt.outbox.wake()
    rt.sync.onConnect().catch(rt.report)
    refreshAnnouncements(rt).catch(rt.report)
    if (this.presenceIds.length > 0) this.subscribePresence(rt).catch(rt.report)
    for (const [conversationId, seq] of this.unsentReads) this.markRead(conversationId, seq).catch(rt.report)
  }

  /** The browser's own network events: reconnect and resync at once when it is back. */
  private onNetwork(rt: ChatRuntime, online: boolean) {
    const { socket } = rt.transport
    if (!online) return this.setConnection(rt, 'offline')
    this.setConnection(rt, socket.connected ? 'connected' : 'reconnecting')
    socket.connect()
    rt.outbox.wake()
    rt.sync.checkHeads().catch(rt.report)
  }

  /**
   * socket.io does not reconnect by itself when the server closed the socket (a server shutting down
   * during a restart or a deploy): try again after a pause that grows while it keeps happening. A session
   * that is over (sign-out elsewhere, event erased) is then refused at the handshake, which ends it.
   */
  private reconnectLater(rt: ChatRuntime) {
    this.kicks++
    const base = Math.min(30_000, rt.timing.reconnectMs * 2 ** (this.kicks - 1))
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = setTimeout(
      () => {
        if (!this.stopped && !rt.transport.socket.connected && rt.network.onLine())
          rt.transport.socket.connect()
      },
      base / 2 + (Math.random() * base) / 2,
    )
  }

  private setConnection(rt: ChatRuntime, connection: ChatSnapshot['connection']) {
    if (rt.model.state.connection === connection) return
    rt.model.state.connection = connection
    rt.model.state.changedConnection()
    rt.sync.schedule()
  }

  private async subscribePresence(rt: ChatRuntime) {
    const ack = await rt.transport.socket.emitWithAck(
      'presence:subscribe',
      { userIds: this.presenceIds },
      rt.timing.ackTimeoutMs,
    )
    if (ack.ok) rt.model.setPresence(ack.data.statuses.map((s) => [s.userId, s.status]))
  }
}

/** The shared limits, checked before anything is queued, so the refusal is immediate and says which. */
function checkFiles(content: string, files: OutgoingFile[]) {
  if (content.trim() === '' && files.length === 0)
    throw new ApiError('VALIDATION', 400, 'A message cannot be empty')
  if (files.length > LIMITS.attachmentsPerMessage)
    throw new ApiError(
      'VALIDATION',
      400,
      `A message can carry at most ${LIMITS.attachmentsPerMessage} photos or files`,
    )
  const big = files.find((f) => f.blob.size > LIMITS.uploadBytes)
  if (big)
    throw new ApiError(
      'PAYLOAD_TOO_LARGE',
      413,
      `${big.name} is larger than ${Math.round(LIMITS.uploadBytes / (1024 * 1024))} MB`,
    )
  const empty = files.find((f) => f.blob.size === 0)
  if (empty) throw new ApiError('VALIDATION', 400, `${empty.name} is empty`)
}
