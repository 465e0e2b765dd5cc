import type { JoinResponse, Message } from '@secura/shared'
import { io } from 'socket.io-client'
import type { ClientSocket } from '../helpers.ts'
import { ADMIN_TOKEN } from './harness.ts'

export interface ApiResponse<T = any> {
  status: number
  body: T
}

/** One REST call to one instance. */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  { token, body }: { token?: string; body?: unknown } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {}
  return { status: res.status, body: parsed as T }
}

export async function createEvent(base: string, name = 'Cluster event') {
  const res = await api(base, 'POST', '/api/admin/events', { token: ADMIN_TOKEN, body: { name } })
  if (res.status !== 201) throw new Error(`createEvent: ${res.status} ${JSON.stringify(res.body)}`)
  return { eventId: res.body.event.id as string, lobbyId: res.body.lobby.id as string }
}

/** A new guest of the event, joined through `base`. */
export async function join(base: string, eventId: string, displayName: string): Promise<JoinResponse> {
  const invite = await api(base, 'POST', `/api/events/${eventId}/invitations`, {
    token: ADMIN_TOKEN,
    body: {},
  })
  if (invite.status !== 201) throw new Error(`invite: ${invite.status} ${JSON.stringify(invite.body)}`)
  const res = await api(base, 'POST', '/api/auth/join', { body: { code: invite.body.code, displayName } })
  if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

const opened: ClientSocket[] = []

/** A socket to one instance, without reconnection (the tests decide where a client goes next). */
export function connect(base: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(`${base}/chat`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  })
  opened.push(socket)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => reject(error))
  })
}

export function disconnectAll() {
  for (const socket of opened.splice(0)) socket.disconnect()
}

/** Scrapes /metrics; `value(name, labels)` sums the samples of that series matching the labels. */
export async function scrape(base: string) {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  if (!res.ok) throw new Error(`metrics: ${res.status}`)
  const text = await res.text()
  const samples = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
      if (!match) return undefined
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      )
      return { name: match[1]!, labels, value: Number(match[3]) }
    })
    .filter((s) => s !== undefined)
  return {
    text,
    value(name: string, labels: Record<string, string> = {}): number {
      return samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0)
    },
  }
}

interface Outgoing {
  conversationId: string
  clientMessageId: string
  content: string
  acked?: Message
}

/**
 * A guest's device behind a load balancer: connected to its preferred instance; when the connection
 * drops it reconnects to whichever instance answers (the balancer's health check), joins its
 * conversations, fetches everything changed since its last synced rev, and re-sends what was not acked
 * (same clientMessageId: the server stores it once). It keeps messages by id, as the web client does.
 */
export class Device {
  socket: ClientSocket | undefined
  readonly messages = new Map<string, Map<string, Message>>()
  readonly syncedRev = new Map<string, number>()
  readonly outbox: Outgoing[] = []
  /** The instance each (re)connection went to, in order. */
  readonly connections: string[] = []
  liveDeliveries = 0
  private closed = false
  private reconnecting: Promise<void> | undefined
  private current = ''

  constructor(
    readonly name: string,
    readonly token: string,
    private readonly urls: () => string[],
    readonly conversations: string[],
  ) {}

  get base() {
    return this.current
  }

  async start(): Promise<void> {
    await this.reconnect()
  }

  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        for (const base of this.urls()) {
          try {
            await this.open(base)
            return
          } catch {}
        }
        await new Promise((r) => setTimeout(r, Math.min(100 * (attempt + 1), 500)))
      }
    })().finally(() => {
      this.reconnecting = undefined
    })
    return this.reconnecting
  }

  private async open(base: string) {
    const socket = await connect(base, this.token)
    this.socket = socket
    this.current = base
    this.connections.push(base)
    socket.on('message:new', (message: Message) => {
      this.liveDeliveries++
      this.apply(message)
    })
    socket.on('disconnect', (reason) => {
      if (!this.closed && reason !== 'io client disconnect') void this.reconnect()
    })
    try {
      // Subscribe first, then fetch what changed meanwhile (protocol §6).
      for (const conversationId of this.conversations) {
        await socket.timeout(3000).emitWithAck('conversation:join', { conversationId })
      }
      await this.sync()
    } catch (error) {
      socket.disconnect() // this instance is going away: the caller tries the next one
      throw error
    }
    void this.flush()
  }

  apply(message: Message) {
    const byId = this.messages.get(message.conversationId) ?? new Map<string, Message>()
    this.messages.set(message.conversationId, byId)
    const known = byId.get(message.id)
    if (!known || known.rev < message.rev) byId.set(message.id, message)
  }

  /** Everything changed since the last synced rev, from the instance this device is on. */
  async sync(): Promise<void> {
    for (const conversationId of this.conversations) {
      for (;;) {
        const since = this.syncedRev.get(conversationId) ?? 0
        const page = await api<{ messages: Message[]; hasMore: boolean }>(
          this.current,
          'GET',
          `/api/chat/conversations/${conversationId}/messages?sinceRev=${since}&limit=100`,
          { token: this.token },
        )
        if (page.status !== 200) throw new Error(`sync: ${page.status} ${JSON.stringify(page.body)}`)
        for (const m of page.body.messages) {
          this.apply(m)
          this.syncedRev.set(conversationId, Math.max(this.syncedRev.get(conversationId) ?? 0, m.rev))
        }
        if (!page.body.hasMore) break
      }
    }
  }

  /** Queues a message and tries to send it now. */
  send(conversationId: string, content: string): Outgoing {
    const item = { conversationId, clientMessageId: crypto.randomUUID(), content }
    this.outbox.push(item)
    void this.flush()
    return item
  }

  private flushing = false
  private flushAgain = false
  /** Refusals a device cannot retry: a test expects none. */
  readonly failures: string[] = []

  /** Sends what is not acked yet, in order, over the socket; what gets no ack is sent again after a reconnect. */
  async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true
      return
    }
    this.flushing = true
    try {
      do {
        this.flushAgain = false
        for (const item of this.outbox) {
          if (item.acked) continue
          const socket = this.socket
          if (!socket?.connected) break
          let ack: { ok: true; data: Message } | { ok: false; error: { code: string } }
          try {
            ack = await socket.timeout(3000).emitWithAck('message:send', {
              conversationId: item.conversationId,
              clientMessageId: item.clientMessageId,
              content: item.content,
            })
          } catch {
            break // no ack (the connection went, or timed out): the reconnect sends it again
          }
          if (ack.ok) {
            item.acked = ack.data
            this.apply(ack.data)
            continue
          }
          if (ack.error.code === 'UNAVAILABLE' || ack.error.code === 'RATE_LIMITED') {
            await new Promise((r) => setTimeout(r, 200))
            this.flushAgain = true
            break
          }
          this.failures.push(`${item.content}: ${ack.error.code}`)
          item.acked = undefined
          return
        }
      } while (this.flushAgain)
    } finally {
      this.flushing = false
    }
  }

  get unacked() {
    return this.outbox.filter((item) => !item.acked).length
  }

  ordered(conversationId: string): Message[] {
    return [...(this.messages.get(conversationId)?.values() ?? [])].sort((x, y) => x.seq - y.seq)
  }

  close() {
    this.closed = true
    this.socket?.disconnect()
  }
}
