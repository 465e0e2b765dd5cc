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
 * Sends on their way to the database go together. While one statement is in flight, the sends that arrive
 * wait and then go as the next statement — one round trip and one commit for all of them (the batched
 * statement cost Postgres about a third of the CPU per message in our measurements); so do the sends read
 * in the same turn of the event loop. A send at a quiet moment goes alone, at once; under load the batches
 * grow with it, up to `max`. One statement at a time
 * per instance also keeps each sender's messages in the order they came.
 *
 * Resolves with the row written, or undefined when none was (see MessageStore.insert / insertMany).
 */
export function sendQueue(store: MessageStore, max = 100) {
  const queue: Pending[] = []
  let running = false

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

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await write(queue.splice(0, max))
    } finally {
      running = false
    }
  }

  return {
    insert(message: NewMessage): Promise<SentRow | undefined> {
      return new Promise((resolve, reject) => {
        queue.push({ message, resolve, reject })
        if (running) return
        // Not at once: after the packets read in this turn of the event loop, which then go together.
        running = true
        setImmediate(drain)
      })
    },
  }
}
