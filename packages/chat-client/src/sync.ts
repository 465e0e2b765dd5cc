import {
  type Conversation,
  type ConversationList,
  LIMITS,
  type MessagePage,
  type SyncResponse,
} from '@secura/shared'
import { ApiError } from './http.ts'
import type { ChatModel, Gaps } from './model.ts'
import { ackError, type ChatTransport } from './transport.ts'

export interface SyncTiming {
  ackTimeoutMs: number
  /** Conversation heads compared with ours while the socket is up. */
  headCheckMs: number
  /** Changes polled over HTTP while it is down. */
  pollMs: number
  /** How long a change may wait for the one before it (concurrent broadcasts reorder) before a fetch. */
  revGapMs: number
  /** Sync pages of one conversation before its cache is dropped for the latest page instead. */
  maxSyncRounds: number
}

const chat = '/api/chat'

/**
 * Makes server→client delivery exact (protocol §6): on every (re)connect it joins the open conversations,
 * then fetches every change since the rev it holds; it fetches on gaps, compares heads periodically while
 * connected, and polls over HTTP while the socket is down.
 */
export class Sync {
  /** Conversations on screen: subscribed to live events whenever the socket is up. */
  readonly open = new Set<string>()
  private readonly joined = new Set<string>()
  private readonly queue = new Set<string>()
  private readonly loading = new Map<string, Promise<void>>()
  /** Being opened: the open itself joins, then loads; background work leaves them alone meanwhile. */
  private readonly opening = new Set<string>()
  private running: Promise<void> | undefined
  private readonly gapTimers = new Map<string, ReturnType<typeof setTimeout>>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor(
    private readonly model: ChatModel,
    private readonly transport: ChatTransport,
    private readonly timing: SyncTiming,
    private readonly report: (error: unknown) => void,
  ) {}

  /** Subscribe first, then fetch: a change made in between is then both broadcast and fetched. */
  async onConnect(): Promise<void> {
    await Promise.all([...this.open].map((id) => this.join(id).catch(this.report)))
    await this.catchUp(this.cursored())
    await this.refreshList()
    await this.loadUnloaded()
    this.schedule()
  }

  onDisconnect(): void {
    this.joined.clear()
    this.schedule()
  }

  async openConversation(conversationId: string): Promise<void> {
    this.open.add(conversationId)
    this.opening.add(conversationId)
    try {
      if (this.transport.socket.connected) await this.join(conversationId)
      const t = this.model.state.timelines.get(conversationId)
      if (t && t.rev !== null) await this.catchUp([conversationId])
      else await this.loadLatest(conversationId)
    } finally {
      this.opening.delete(conversationId)
    }
  }

  closeConversation(conversationId: string): void {
    this.open.delete(conversationId)
    if (!this.joined.delete(conversationId) || !this.transport.socket.connected) return
    this.transport.socket
      .emitWithAck('conversation:leave', { conversationId }, this.timing.ackTimeoutMs)
      .catch(() => undefined)
  }

  onGaps(conversationId: string, gaps: Gaps): void {
    if (gaps.seq) this.onGap(conversationId, 'seq')
    else if (gaps.rev) this.onGap(conversationId, 'rev')
  }

  /** A message:new skipped seqs: fetch now. A rev arrived early: fetch unless the hole closes soon. */
  onGap(conversationId: string, kind: 'seq' | 'rev'): void {
    if (kind === 'seq') return void this.catchUp([conversationId]).catch(this.report)
    if (this.gapTimers.has(conversationId)) return
    const timer = setTimeout(() => {
      this.gapTimers.delete(conversationId)
      if ((this.model.state.timelines.get(conversationId)?.ahead.size ?? 0) > 0) {
        this.catchUp([conversationId]).catch(this.report)
      }
    }, this.timing.revGapMs)
    this.gapTimers.set(conversationId, timer)
  }

  /** Fetches every change after our rev of each conversation; concurrent calls share one run. */
  catchUp(conversationIds: string[]): Promise<void> {
    for (const id of conversationIds) this.queue.add(id)
    if (!this.running) {
      this.running = this.drainQueue().finally(() => {
        this.running = undefined
      })
    }
    return this.running
  }

  /** GET /conversations: the list and unread counts, and which of our conversations fell behind. */
  async checkHeads(): Promise<void> {
    await this.refreshList()
    if (this.transport.socket.connected) {
      const unjoined = [...this.open].filter((id) => !this.joined.has(id))
      await Promise.all(unjoined.map((id) => this.join(id).catch(this.report)))
    }
    const behind = this.cursored().filter((id) => {
      const t = this.model.state.timelines.get(id)!
      const head = this.model.state.summaries.get(id)?.lastRev ?? 0
      return head > (t.rev ?? 0) || t.ahead.size > 0
    })
    if (behind.length > 0) await this.catchUp(behind)
    await this.loadUnloaded()
  }

  /** Plans the next head check (connected) or poll (socket down); none while the browser is offline. */
  schedule(delayMs?: number): void {
    clearTimeout(this.timer)
    if (this.stopped) return
    const connection = this.model.state.connection
    if (connection === 'offline') return
    const ms = delayMs ?? (connection === 'connected' ? this.timing.headCheckMs : this.timing.pollMs)
    this.timer = setTimeout(() => {
      this.checkHeads()
        .catch(this.report)
        .finally(() => this.schedule())
    }, ms)
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    for (const timer of this.gapTimers.values()) clearTimeout(timer)
  }

  private async join(conversationId: string): Promise<void> {
    const ack = await this.transport.socket.emitWithAck(
      'conversation:join',
      { conversationId },
      this.timing.ackTimeoutMs,
    )
    if (ack.ok) {
      this.joined.add(conversationId)
      return
    }
    if (ack.error.code === 'NOT_FOUND' || ack.error.code === 'FORBIDDEN') {
      this.open.delete(conversationId)
      this.model.removeConversation(conversationId)
    }
    throw ackError(ack.error)
  }

  /** Open conversations whose first page never came (opened while offline). */
  private async loadUnloaded(): Promise<void> {
    const { timelines, summaries } = this.model.state
    const unloaded = [...this.open].filter(
      (id) => !this.opening.has(id) && summaries.has(id) && timelines.get(id)?.rev == null,
    )
    await Promise.all(unloaded.map((id) => this.loadLatest(id).catch(this.report)))
  }

  /**
   * Open conversations with a starting rev. Others are not followed live (not joined): their list entry
   * and unread count come from the summaries, their cached messages catch up when opened.
   */
  private cursored(): string[] {
    return [...this.open].filter((id) => this.model.state.timelines.get(id)?.rev != null)
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const ids = [...this.queue].filter((id) => this.model.state.timelines.get(id)?.rev != null)
      this.queue.clear()
      for (let i = 0; i < ids.length; i += LIMITS.syncCursors) {
        await this.syncRounds(ids.slice(i, i + LIMITS.syncCursors))
      }
    }
  }

  private async syncRounds(ids: string[]): Promise<void> {
    let pending = ids
    for (let round = 0; pending.length > 0 && round < this.timing.maxSyncRounds; round++) {
      const cursors = pending.flatMap((conversationId) => {
        const rev = this.model.state.timelines.get(conversationId)?.rev
        return rev == null ? [] : [{ conversationId, rev }]
      })
      const { changes } = await this.transport.http.request<SyncResponse>('POST', `${chat}/sync`, { cursors })
      if (this.stopped) return
      const answered = new Set(changes.map((c) => c.conversationId))
      // The server leaves out conversations we can no longer see.
      for (const { conversationId } of cursors) {
        if (!answered.has(conversationId)) this.model.removeConversation(conversationId)
      }
      for (const change of changes) this.model.applySyncChange(change)
      pending = changes.filter((c) => c.hasMore).map((c) => c.conversationId)
    }
    // Too far behind to page through: start again from the latest page.
    for (const id of pending) await this.loadLatest(id)
  }

  /** The head first, then the latest page: the page is then current as of at least that rev. */
  private loadLatest(conversationId: string): Promise<void> {
    let loading = this.loading.get(conversationId)
    if (!loading) {
      loading = this.fetchLatest(conversationId).finally(() => this.loading.delete(conversationId))
      this.loading.set(conversationId, loading)
    }
    return loading
  }

  private async fetchLatest(conversationId: string): Promise<void> {
    const path = `${chat}/conversations/${conversationId}`
    let head: Conversation
    try {
      head = await this.transport.http.request<Conversation>('GET', path)
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NOT_FOUND')
        this.model.removeConversation(conversationId)
      throw error
    }
    this.model.upsertConversation(head)
    const page = await this.transport.http.request<MessagePage>(
      'GET',
      `${path}/messages?limit=${LIMITS.pageDefault}`,
    )
    if (this.stopped) return
    this.model.resetTimeline(conversationId, page.messages, head.lastRev)
  }

  private async refreshList(): Promise<void> {
    const { conversations } = await this.transport.http.request<ConversationList>(
      'GET',
      `${chat}/conversations`,
    )
    if (!this.stopped) this.model.replaceSummaries(conversations)
  }
}
