// One connection of the load generator: the same interface over socket.io (Secura Chat and the bare
// socket.io baseline speak the same events) and over raw `ws` frames (the ws baseline).
import { randomUUID } from 'node:crypto'
import { io, type Socket } from 'socket.io-client'
import WebSocket from 'ws'

export type Protocol = 'socketio' | 'ws'

export interface Ack {
  ok: boolean
  code?: string
  /** When the server asked to be tried again later (UNAVAILABLE, RATE_LIMITED). */
  retryAfterMs?: number
}

export interface BenchClient {
  connect(): Promise<void>
  join(conversationId: string): Promise<Ack>
  /** A retry passes the same clientMessageId again, as an outbox does. */
  send(conversationId: string, content: string, clientMessageId?: string): Promise<Ack>
  close(): void
}

const ACK_TIMEOUT_MS = 15_000

export function createClient(
  protocol: Protocol,
  url: string,
  token: string | undefined,
  onMessage: (content: string) => void,
): BenchClient {
  return protocol === 'ws' ? wsClient(url, onMessage) : socketIoClient(url, token, onMessage)
}

function socketIoClient(url: string, token: string | undefined, onMessage: (c: string) => void): BenchClient {
  let socket: Socket | undefined
  const emit = (event: string, payload: unknown) =>
    new Promise<Ack>((resolve) => {
      if (!socket?.connected) return resolve({ ok: false, code: 'DISCONNECTED' })
      socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err: Error | null, r: any) => {
        if (err) resolve({ ok: false, code: 'ACK_TIMEOUT' })
        else if (r?.ok) resolve({ ok: true })
        else resolve({ ok: false, code: r?.error?.code ?? 'BAD_ACK', retryAfterMs: r?.error?.retryAfterMs })
      })
    })
  return {
    connect: () =>
      new Promise((resolve, reject) => {
        socket = io(`${url}/chat`, {
          transports: ['websocket'],
          auth: token ? { token } : {},
          reconnection: false,
          forceNew: true,
          timeout: 30_000,
        })
        socket.on('message:new', (m: { content: string }) => onMessage(m.content))
        socket.once('connect', () => resolve())
        socket.once('connect_error', (e) => reject(new Error(e.message)))
      }),
    join: (conversationId) => emit('conversation:join', { conversationId }),
    send: (conversationId, content, clientMessageId = randomUUID()) =>
      emit('message:send', { conversationId, content, clientMessageId }),
    close: () => socket?.disconnect(),
  }
}

function wsClient(url: string, onMessage: (c: string) => void): BenchClient {
  let ws: WebSocket | undefined
  let nextAck = 0
  const pending = new Map<number, (a: Ack) => void>()
  const emit = (e: string, d: unknown) =>
    new Promise<Ack>((resolve) => {
      if (ws?.readyState !== WebSocket.OPEN) return resolve({ ok: false, code: 'DISCONNECTED' })
      const a = nextAck++
      const timer = setTimeout(() => {
        pending.delete(a)
        resolve({ ok: false, code: 'ACK_TIMEOUT' })
      }, ACK_TIMEOUT_MS)
      pending.set(a, (ack) => {
        clearTimeout(timer)
        resolve(ack)
      })
      ws.send(JSON.stringify({ e, d, a }))
    })
  return {
    connect: () =>
      new Promise((resolve, reject) => {
        ws = new WebSocket(url.replace(/^http/, 'ws'), { perMessageDeflate: false })
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString())
          if (frame.a !== undefined) {
            const done = pending.get(frame.a)
            pending.delete(frame.a)
            done?.(frame.r?.ok ? { ok: true } : { ok: false, code: 'BAD_ACK' })
          } else if (frame.e === 'message:new') onMessage(frame.d.content)
        })
        ws.once('open', () => resolve())
        ws.once('error', reject)
      }),
    join: (conversationId) => emit('conversation:join', { conversationId }),
    send: (conversationId, content, clientMessageId = randomUUID()) =>
      emit('message:send', { conversationId, content, clientMessageId }),
    close: () => ws?.close(),
  }
}
