import 'fake-indexeddb/auto'
import { newId } from '@secura/shared'
import { createChatStorage } from '../index.ts'
import type { LockManagerLike } from '../lock.ts'
import type { Timing } from '../runtime.ts'
import type { ChatSnapshot, ChatStorage, LocalMessage } from '../types.ts'
import { FakeHttp, FakeNetwork } from './fake-http.ts'
import type { FakeServer } from './fake-server.ts'
import { FakeSocket } from './fake-socket.ts'

export const ME = '00000000-0000-4000-8000-00000000000a'
export const OTHER = '00000000-0000-4000-8000-00000000000b'

/** Short timings so that timeouts and backoff take milliseconds. */
export const fastTiming: Timing = {
  ackTimeoutMs: 100,
  headCheckMs: 60_000,
  pollMs: 60_000,
  revGapMs: 30,
  maxSyncRounds: 5,
  lease: { leaseMs: 300, pollMs: 10 },
  typingBackstopMs: 60_000,
  reconnectMs: 20,
}

export interface Client {
  storage: ChatStorage
  socket: FakeSocket
  http: FakeHttp
  network: FakeNetwork
  errors: unknown[]
  snapshot: () => ChatSnapshot
  messages: (conversationId: string) => LocalMessage[]
}

export interface ClientOptions {
  userId?: string
  db: string
  socket?: FakeSocket
  timing?: Partial<Timing>
  locks?: LockManagerLike | null
  random?: () => number
}

export function createClient(server: FakeServer, options: ClientOptions): Client {
  const userId = options.userId ?? ME
  const socket = options.socket ?? new FakeSocket(server, userId)
  const http = new FakeHttp(server, userId)
  const network = new FakeNetwork()
  const errors: unknown[] = []
  const storage = createChatStorage({
    me: { id: userId, eventId: 'event-1' },
    transport: { socket, http },
    db: options.db,
    locks: options.locks ?? null,
    network,
    timing: { ...fastTiming, ...options.timing },
    retry: { baseMs: 20, maxMs: 80, random: options.random ?? (() => 0.5) },
    onError: (error) => errors.push(error),
  })
  return {
    storage,
    socket,
    http,
    network,
    errors,
    snapshot: () => storage.getSnapshot(),
    messages: (id) => storage.getSnapshot().messages[id] ?? [],
  }
}

export const uniqueDb = () => `test-${newId()}`

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`)
    await sleep(5)
  }
}

/** Retries `check` (assertions) until it passes; rethrows its last failure after `timeoutMs`. */
export async function eventually(check: () => Promise<void>, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(10)
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const contents = (list: LocalMessage[]) => list.map((m) => m.content)

/** A Web Locks stand-in: one holder per name, the others queue in order; an aborted wait rejects. */
export class FakeLockManager implements LockManagerLike {
  private readonly tails = new Map<string, Promise<unknown>>()
  held = 0
  maxHeld = 0

  request<T>(name: string, options: { signal?: AbortSignal }, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve()
    const run = previous.then(async () => {
      if (options.signal?.aborted) throw new DOMException('Aborted', 'AbortError')
      this.held++
      this.maxHeld = Math.max(this.maxHeld, this.held)
      try {
        return await task()
      } finally {
        this.held--
      }
    })
    this.tails.set(
      name,
      run.catch(() => undefined),
    )
    return run
  }
}
