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

/**
 * Sends on their way to the database. They go in lanes, by conversation: each lane one statement at a time,
 * which keeps every conversation's messages in the order they came, while sends to conversations of
 * different lanes are written side by side. A send at a quiet moment goes alone, at once. While a lane's
 * statement is in flight the sends that arrive for it wait; once `minBatch` are waiting they go together as
 * the next statement — one round trip and one commit for all of them — up to `max`, so under load the
 * batches grow with it.
 *
 * Why not batch two or three: Postgres plans the batched statement anew for each call — its prepared plan,
 * made without the arrays, is costed for a hundred elements each and always loses to a fresh one — and that
 * planning costs the same whatever the batch's size, several times a single send's prepared statement. Below
 * six sends the batch costs more than the sends one by one. Forcing the prepared plan is no cure: it keeps
 * what the statistics said when it was made, and on a new database that is a scan of the then tiny message
 * table for every batch. (Measurements: docs/performance.md.)
 *
 * Why two lanes: with one, a send waited behind the singles of other conversations ahead of it, which
 * delayed delivery under load; with two, conversations of different lanes no longer wait for each other.
 *
 * Resolves with the row written, or undefined when none was (see MessageStore.insert / insertMany).
 */
export function sendQueue(store: MessageStore, { max = 100, minBatch = 6, lanes = 2 } = {}) {
  async function write(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      const [one] = batch as [Pending]
      return store.insert(one.message.viewer, one.message).then(one.resolve, one.reject)
    }
    try {
      const rows = await store.insertMany(batch.map((p) => p.message))
      for (const p of batch) p.resolve(rows.get(p.message.id))
    } catch (error) {
      if (!isUniqueViolation(error) && !isDeadlock(error)) {
        for (const p of batch) p.reject(error)
        return
      }
      // Another instance stored one of these meanwhile (or locked the same conversations): the statement
      // wrote nothing; each goes on its own, where a replay is told apart from the rest.
      for (const p of batch) await store.insert(p.message.viewer, p.message).then(p.resolve, p.reject)
    }
  }

  function lane() {
    const queue: Pending[] = []
    let running = false
    async function drain(): Promise<void> {
      try {
        while (queue.length > 0) await write(queue.splice(0, queue.length >= minBatch ? max : 1))
      } finally {
        running = false
      }
    }
    return (pending: Pending) => {
      queue.push(pending)
      if (running) return
      // Not at once: after the packets read in this turn of the event loop, which go together if six or more.
      running = true
      setImmediate(drain)
    }
  }
  const queues = Array.from({ length: lanes }, lane)

  return {
    insert(message: NewMessage): Promise<SentRow | undefined> {
      return new Promise((resolve, reject) => {
        queues[laneOf(message.conversationId, lanes)]!({ message, resolve, reject })
      })
    },
  }
}

/** The lane of a conversation: a hash of its id (any string: a malformed id still gets a lane, and its answer). */
export function laneOf(conversationId: string, lanes: number): number {
  let hash = 0
  for (let i = 0; i < conversationId.length; i++) hash = (hash * 31 + conversationId.charCodeAt(i)) | 0
  return Math.abs(hash) % lanes
}
