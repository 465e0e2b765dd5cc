import { isDeadlock, isUniqueViolation } from '../../errors.ts'
import type { Viewer } from '../access.ts'
import type { MessageStore, SentRow, NewMessage as StoredMessage } from './store.ts'

/** A send waiting for the database: the message and who sends it. */
export type NewMessage = StoredMessage & { viewer: Viewer }

interface Pending {
  message: NewMessage
  resolve(row: SentRow | undefined): void
  reject(error: unknown): void
}

export interface SendQueueOptions {
  /** The most sends in one batched statement. */
  max?: number
  /** The fewest waiting sends of one writer that go as one batched statement. */
  minBatch?: number
  /** Sends written side by side: each writer holds one database connection while it writes. */
  writers?: number
  /** Fewer than `minBatch` waiting: written in one transaction, one commit for all (else one by one). */
  groupCommit?: boolean
}

/**
 * Sends on their way to the database, partitioned by conversation over `writers` writers: each writer one
 * write at a time, which keeps every conversation's messages in the order they came, while sends to
 * conversations of different writers are written side by side, up to as many as the pool has connections
 * to spare. A send at a quiet moment goes alone, at once. While a writer's write is in flight the sends that
 * arrive for it wait, and go together as its next write:
 *
 * - `minBatch` or more: one batched statement (`insertMany`), up to `max`, so under load the batches grow
 *   with it — one round trip and one commit for all of them.
 * - fewer: one by one; or, with `groupCommit`, the single-send statement for each (prepared, planned once
 *   per connection) in one transaction — one commit for all of them, each acked after it. Off by default:
 *   in the send-path bench it did no better than the writers alone, whose concurrent commits Postgres
 *   already flushes together (docs/performance.md).
 *
 * Why not a batched statement for two or three: Postgres plans the batched statement anew for each call —
 * its prepared plan, made without the arrays, is costed for a hundred elements each and always loses to a
 * fresh one — and that planning costs the same whatever the batch's size, several times a single send's
 * prepared statement. Below six sends the batch costs more than the sends one by one. Forcing the prepared
 * plan is no cure: it keeps what the statistics said when it was made, and on a new database that is a scan
 * of the then tiny message table for every batch. (Measurements: docs/performance.md.)
 *
 * Why many writers: with one, a send waited behind the writes of other conversations ahead of it; with
 * one per spare connection, only behind those of its own conversation (and of the few sharing its writer).
 *
 * Resolves with the row written, or undefined when none was (see MessageStore.insert / insertMany).
 */
export function sendQueue(
  store: MessageStore,
  { max = 100, minBatch = 6, writers = 2, groupCommit = false }: SendQueueOptions = {},
) {
  async function alone(batch: Pending[]) {
    for (const p of batch) await store.insert(p.message.viewer, p.message).then(p.resolve, p.reject)
  }

  async function write(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return alone(batch)
    try {
      if (batch.length < minBatch) {
        const rows = await store.insertGroup(batch.map((p) => p.message))
        for (const [i, p] of batch.entries()) p.resolve(rows[i])
      } else {
        const rows = await store.insertMany(batch.map((p) => p.message))
        for (const p of batch) p.resolve(rows.get(p.message.id))
      }
    } catch (error) {
      if (!isUniqueViolation(error) && !isDeadlock(error)) {
        for (const p of batch) p.reject(error)
        return
      }
      // Another instance stored one of these meanwhile (or locked the same conversations): nothing was
      // written; each goes on its own, where a replay is told apart from the rest.
      await alone(batch)
    }
  }

  function writer() {
    const queue: Pending[] = []
    let running = false
    const take = () => {
      if (queue.length >= minBatch) return queue.splice(0, max)
      if (groupCommit) return queue.splice(0, queue.length)
      return queue.splice(0, 1)
    }
    async function drain(): Promise<void> {
      try {
        while (queue.length > 0) await write(take())
      } finally {
        running = false
      }
    }
    return (pending: Pending) => {
      queue.push(pending)
      if (running) return
      // Not at once: after the packets read in this turn of the event loop, which go together.
      running = true
      setImmediate(drain)
    }
  }
  const queues = Array.from({ length: Math.max(1, writers) }, writer)

  return {
    insert(message: NewMessage): Promise<SentRow | undefined> {
      return new Promise((resolve, reject) => {
        queues[partitionOf(message.conversationId, queues.length)]!({ message, resolve, reject })
      })
    },
  }
}

/** The writer of a conversation: a hash of its id (any string: a malformed id still gets one, and its answer). */
export function partitionOf(conversationId: string, writers: number): number {
  let hash = 0
  for (let i = 0; i < conversationId.length; i++) hash = (hash * 31 + conversationId.charCodeAt(i)) | 0
  return Math.abs(hash) % writers
}
