import type { Ack, ChatError, ServerEvents } from '@secura/shared'
import { ApiError } from '../http.ts'
import type { AckData, ChatSocket, ClientEventName, ClientPayload, SocketStatus } from '../transport.ts'
import type { FakeServer } from './fake-server.ts'

type AnyListener = (payload: never) => void

/** The fields client payloads and bodies use, for reading them loosely. */
export interface Fields {
  conversationId: string
  clientMessageId: string
  messageId: string
  newContent: string
  content: string
  emoji: string
  action: 'add' | 'remove'
  seq: number
  cursors: { conversationId: string; rev: number }[]
}

/**
 * A socket the test drives: it connects when told (`reachable`), drops on demand, answers acks from the
 * fake server, or never (`acks`), and delivers whatever server event the test hands it.
 */
export class FakeSocket implements ChatSocket {
  connected = false
  /** connect() succeeds. */
  reachable = true
  /** auto: the server handles and acks. lost: the packet never arrives. unacked: handled, ack lost. */
  acks: 'auto' | 'lost' | 'unacked' = 'auto'
  /** Per event: answer instead of the server (return undefined to let the server answer). */
  readonly scripted = new Map<ClientEventName, (payload: unknown) => Ack<unknown> | undefined>()
  /** Per event: how long the ack takes. */
  readonly ackDelayMs = new Map<ClientEventName, number>()
  readonly emitted: { event: string; payload: unknown }[] = []
  connectCalls = 0
  private readonly listeners = new Map<string, Set<AnyListener>>()
  private readonly statusListeners = new Set<(status: SocketStatus) => void>()
  private readonly joined = new Set<string>()

  constructor(
    private readonly server: FakeServer,
    readonly userId: string,
  ) {}

  connect(): void {
    this.connectCalls++
    if (this.connected || !this.reachable) return
    setTimeout(() => {
      if (!this.connected && this.reachable) this.up()
    }, 0)
  }

  disconnect(): void {
    if (this.connected) this.down('io client disconnect')
  }

  /** The server accepts the connection now. */
  up(): void {
    this.connected = true
    for (const l of this.statusListeners) l({ type: 'connect' })
  }

  /** The connection is lost (the server or the network went away). */
  drop(): void {
    if (this.connected) this.down('transport close')
  }

  /** The server closes the socket itself (a restart, a deploy): socket.io then does not reconnect on its own. */
  kick(): void {
    if (this.connected) this.down('io server disconnect')
  }

  onStatus(listener: (status: SocketStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  on<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): () => void {
    const set = this.listeners.get(event) ?? new Set()
    this.listeners.set(event, set)
    set.add(listener as AnyListener)
    return () => set.delete(listener as AnyListener)
  }

  /** Hands the client a server event, as if broadcast to it. */
  deliver<E extends keyof ServerEvents>(event: E, payload: Parameters<ServerEvents[E]>[0]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: unknown) => void)(structuredClone(payload))
  }

  emit<E extends ClientEventName>(event: E, payload: ClientPayload<E>): void {
    this.emitted.push({ event, payload })
  }

  emitWithAck<E extends ClientEventName>(event: E, payload: ClientPayload<E>, timeoutMs: number) {
    this.emitted.push({ event, payload })
    return new Promise<Ack<AckData<E>>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('operation has timed out')), timeoutMs)
      if (!this.connected || this.acks === 'lost') return
      let ack: Ack<unknown>
      try {
        ack = this.scripted.get(event)?.(payload) ?? { ok: true, data: this.handle(event, payload) }
      } catch (error) {
        ack = { ok: false, error: toChatError(error) }
      }
      if (this.acks === 'unacked') return
      setTimeout(() => {
        clearTimeout(timer)
        if (!this.connected) return
        this.server.log.push(`ack ${event}`)
        resolve(structuredClone(ack) as Ack<AckData<E>>)
      }, this.ackDelayMs.get(event) ?? 0)
    })
  }

  private handle(event: ClientEventName, payload: unknown): unknown {
    const p = payload as Fields
    const s = this.server
    switch (event) {
      case 'message:send':
        return s.send(this.userId, p as never, 'socket').message
      case 'message:edited':
        return s.edit(this.userId, p.messageId, p.newContent)
      case 'message:deleted':
        return s.remove(this.userId, p.messageId)
      case 'message:reaction':
        return s.react(this.userId, p.messageId, p.emoji, p.action)
      case 'conversation:join': {
        s.room(this.userId, p.conversationId)
        s.log.push(`join ${p.conversationId}`)
        this.joined.add(p.conversationId)
        const set = s.subscribers.get(p.conversationId) ?? new Set()
        s.subscribers.set(p.conversationId, set)
        set.add(this.forward)
        return { conversationId: p.conversationId, userCount: 1 }
      }
      case 'conversation:leave':
        this.leave(p.conversationId)
        return { conversationId: p.conversationId, userCount: 0 }
      case 'conversation:read':
        return s.markRead(this.userId, p.conversationId, p.seq)
      case 'presence:subscribe':
        return { statuses: [] }
      default:
        return null
    }
  }

  private readonly forward = (event: keyof ServerEvents, payload: unknown) => {
    if (this.connected) this.deliver(event, payload as never)
  }

  private leave(conversationId: string) {
    this.joined.delete(conversationId)
    this.server.subscribers.get(conversationId)?.delete(this.forward)
  }

  private down(reason: string) {
    this.connected = false
    for (const id of [...this.joined]) this.leave(id)
    for (const l of this.statusListeners) l({ type: 'disconnect', reason })
  }
}

function toChatError(error: unknown): ChatError {
  if (error instanceof ApiError && error.code !== 'NETWORK')
    return {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined && { details: error.details }),
    }
  return { code: 'INTERNAL', message: String(error) }
}
