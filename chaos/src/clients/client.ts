import 'fake-indexeddb/auto'
import {
  type ChatRuntime,
  type ChatSnapshot,
  type ChatStorage,
  type ChatTransport,
  createChatStorage,
  createSocketIoTransport,
  type LocalMessage,
  type NetworkStatus,
  request,
  type Timing,
} from '@secura/chat-client'

/**
 * Timings of the chat client in the harness (its defaults are in @secura/chat-client's runtime.ts and
 * retry.ts): shorter head checks, polls and backoff ceilings so that a scenario converges in seconds, not
 * minutes. The mechanisms are the web app's own.
 */
export const CLIENT_TIMING: Partial<Timing> = {
  ackTimeoutMs: 3000,
  headCheckMs: 5000,
  pollMs: 2000,
  // One page of changes (50 with the harness's LIMIT_PAGE) before a conversation is reloaded from its
  // latest page instead: clients away for a few seconds take that path too, under live traffic.
  maxSyncRounds: 1,
  lease: { leaseMs: 3000, pollMs: 200 },
}
export const CLIENT_RETRY = { baseMs: 300, maxMs: 4000 }

/** navigator.onLine and its events, switched by the harness. */
export class SwitchNetwork implements NetworkStatus {
  private online = true
  private readonly listeners = new Set<(online: boolean) => void>()
  onLine = () => this.online
  subscribe(listener: (online: boolean) => void) {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  set(online: boolean) {
    if (online === this.online) return
    this.online = online
    for (const l of [...this.listeners]) l(online)
  }
}

export interface ClientSpec {
  name: string
  user: { id: string; eventId: string }
  token: string
  /** Where socket and HTTP go: the server, or a proxy in front of it. */
  baseUrl: string
  conversations: string[]
}

/** One message this client queued, by its key (the content's first word, unique in the run). */
export interface Queued {
  key: string
  sender: string
  /** Order in which this sender queued it (across conversations). */
  n: number
  conversationId: string
  clientMessageId: string | undefined
  queuedAt: number
  ackedAt?: number
}

export interface SeenMessage {
  id: string
  key: string | undefined
  conversationId: string
  senderId: string
  at: number
}

/**
 * A chat client made of the web app's @secura/chat-client (createChatStorage, its IndexedDB outbox on
 * fake-indexeddb, the socket.io/HTTP transport), as a browser tab would run it. `restart()` is a
 * process restart: the instance is dropped and a new one opens the same IndexedDB database.
 */
export class ChaosClient {
  storage: ChatStorage | undefined
  readonly network = new SwitchNetwork()
  readonly errors: string[] = []
  readonly queued = new Map<string, Queued>()
  private readonly byClientId = new Map<string, Queued>()
  private readonly seen = new Set<string>()
  private readonly scanned = new Map<string, readonly LocalMessage[]>()
  private lastFullScan = 0
  private unsubscribe: (() => void) | undefined
  private sentCount = 0
  private readonly dbName: string
  restarts = 0
  onSeen: ((message: SeenMessage) => void) | undefined

  constructor(readonly spec: ClientSpec) {
    this.dbName = `chaos:${spec.name}:${spec.user.id}`
  }

  get userId() {
    return this.spec.user.id
  }

  async start(): Promise<void> {
    const storage = createChatStorage({
      me: this.spec.user,
      transport: this.traced(
        createSocketIoTransport({ request, token: this.spec.token, baseUrl: this.spec.baseUrl }),
      ),
      db: this.dbName,
      locks: null,
      network: this.network,
      timing: CLIENT_TIMING,
      retry: CLIENT_RETRY,
      onError: (error) => {
        const code = (error as { code?: string })?.code
        if (code === 'NETWORK' || code === 'UNAVAILABLE') return
        this.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
      },
    })
    this.storage = storage
    this.unsubscribe = storage.subscribe((snapshot) => this.scan(snapshot))
    await storage.start()
    this.scan(storage.getSnapshot())
    // Offline, a conversation not cached yet cannot open now: the storage loads it once connected.
    await Promise.all(
      this.spec.conversations.map((id) => storage.openConversation(id).catch(() => undefined)),
    )
  }

  stop(): void {
    this.unsubscribe?.()
    this.storage?.stop()
    this.storage = undefined
  }

  /** Drops this storage instance and starts a new one on the same IndexedDB database. */
  async restart(): Promise<void> {
    this.stop()
    this.restarts++
    await this.start()
  }

  async send(conversationId: string, key: string, filler = ''): Promise<void> {
    const storage = this.storage
    if (!storage) throw new Error(`${this.spec.name} is not running`)
    const content = filler ? `${key} ${filler}` : key
    const queuedAt = Date.now()
    const n = ++this.sentCount
    await storage.send(conversationId, content)
    // The outbox entry is in the snapshot by now (its flush was queued before send() resolved).
    const entry = (storage.getSnapshot().messages[conversationId] ?? []).find(
      (m) => m.state !== 'sent' && m.content === content,
    )
    const q: Queued = {
      key,
      sender: this.userId,
      n,
      conversationId,
      clientMessageId: entry?.clientMessageId,
      queuedAt,
    }
    this.queued.set(key, q)
    if (q.clientMessageId) this.byClientId.set(q.clientMessageId, q)
    this.scan(storage.getSnapshot())
  }

  /** Diagnostics: what this client received about each message (events, sync and page copies). */
  readonly trace: string[] = []
  /** Error answers this client got, by code (HTTP and acks): INTERNAL must never be among them. */
  readonly answers = new Map<string, number>()
  /** Times its socket went down. */
  drops = 0
  /** Latest pages loaded: on opening a conversation, and when too far behind to page through changes. */
  pageLoads = 0
  private traced(transport: ChatTransport): ChatTransport {
    const t0 = Date.now()
    const tracing = Boolean(process.env.CHAOS_TRACE)
    const note = (what: () => string) => {
      if (!tracing) return
      this.trace.push(`+${Date.now() - t0} ${what()}`)
      if (this.trace.length > 20000) this.trace.splice(0, 5000)
    }
    const count = (code: string) => this.answers.set(code, (this.answers.get(code) ?? 0) + 1)
    const pageLoaded = () => {
      this.pageLoads++
    }
    const socket = transport.socket
    const http = transport.http
    return {
      socket: {
        get connected() {
          return socket.connected
        },
        connect: () => socket.connect(),
        disconnect: () => socket.disconnect(),
        onStatus: (listener) =>
          socket.onStatus((status) => {
            if (status.type === 'disconnect') this.drops++
            note(() => `status ${status.type}`)
            listener(status)
          }),
        on: (event, listener) =>
          socket.on(event, ((payload: { id?: string; messageId?: string; rev?: number; seq?: number }) => {
            if (event.startsWith('message:') && event !== 'message:typing')
              note(() => `${event} ${payload.messageId ?? payload.id} rev ${payload.rev} seq ${payload.seq}`)
            ;(listener as (p: unknown) => void)(payload)
          }) as never),
        emitWithAck: async (event, payload, ms) => {
          const ack = await socket.emitWithAck(event, payload, ms)
          if (!ack.ok) count(ack.error.code)
          note(() => `ack ${event} ${JSON.stringify(ack).slice(0, 200)}`)
          return ack
        },
        emit: (event, payload) => socket.emit(event, payload),
      },
      http: {
        async request<T>(
          method: Parameters<ChatTransport['http']['request']>[0],
          path: string,
          body?: unknown,
        ) {
          const sentAt = Date.now() - t0
          if (method === 'GET' && /\/messages\?limit=/.test(path)) pageLoaded()
          let result: T
          try {
            result = await http.request<T>(method, path, body)
          } catch (error) {
            count((error as { code?: string }).code ?? 'THROWN')
            throw error
          }
          if (!tracing) return result
          const r = result as {
            changes?: {
              conversationId: string
              lastRev: number
              hasMore: boolean
              messages: { id: string; rev: number }[]
            }[]
            messages?: { id: string; rev: number }[]
            lastRev?: number
          }
          const summary = r?.changes
            ? r.changes
                .map(
                  (c) =>
                    `${c.conversationId.slice(-6)} lastRev ${c.lastRev} more ${c.hasMore} [${c.messages.map((m) => `${m.id.slice(-6)}@${m.rev}`).join(' ')}]`,
                )
                .join('; ')
            : r?.messages
              ? `[${r.messages.map((m) => `${m.id.slice(-6)}@${m.rev}`).join(' ')}]`
              : r?.lastRev !== undefined
                ? `lastRev ${r.lastRev}`
                : ''
          note(
            () =>
              `http ${method} ${path} ${JSON.stringify(body ?? '').slice(0, 200)} (sent +${sentAt}) -> ${summary}`,
          )
          return result
        },
        upload: (path, file, name, options) => http.upload(path, file, name, options),
      },
    }
  }

  /** Diagnostics only: the storage's cursor of a conversation (its internal timeline). */
  async cursor(conversationId: string): Promise<string> {
    const engine = this.storage as unknown as { runtime?: Promise<ChatRuntime> } | undefined
    const rt = await engine?.runtime
    const t = rt?.model.state.timelines.get(conversationId)
    return t ? `rev ${t.rev}, ahead [${[...t.ahead].join(',')}], floorSeq ${t.floorSeq}` : 'no timeline'
  }

  snapshot(): ChatSnapshot | undefined {
    return this.storage?.getSnapshot()
  }

  view(conversationId: string): LocalMessage[] {
    return this.snapshot()?.messages[conversationId] ?? []
  }

  /**
   * Notes messages seen for the first time (delivery latency) and my own messages acked. New messages
   * land at the end of a conversation: each changed list is walked from its end until a run of known
   * ones; a full walk at most every 500 ms also finds those a gap fetch put further back.
   */
  private scan(snapshot: ChatSnapshot) {
    const now = Date.now()
    const full = now - this.lastFullScan >= 500
    if (full) this.lastFullScan = now
    for (const [conversationId, list] of Object.entries(snapshot.messages)) {
      if (!full && this.scanned.get(conversationId) === list) continue
      this.scanned.set(conversationId, list)
      let known = 0
      for (let i = list.length - 1; i >= 0 && (full || known < 50); i--) {
        const m = list[i]!
        if (m.state !== 'sent') continue
        if (this.seen.has(m.id)) {
          known++
          continue
        }
        known = 0
        this.seen.add(m.id)
        if (m.senderId === this.userId) {
          const q = this.byClientId.get(m.clientMessageId)
          if (q && q.ackedAt === undefined) q.ackedAt = now
        }
        const key = m.content.split(' ')[0] || undefined
        this.onSeen?.({ id: m.id, key, conversationId, senderId: m.senderId, at: now })
      }
    }
  }
}
