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
  /** The fewest waiting sends that go as one batched statement. */
  minBatch?: number
  /** Writes in flight at once, at most: each holds one database connection while it writes. */
  writers?: number
  /** Of those, how many may be single sends (or groups, with `groupCommit`); the rest are for batches. */
  singles?: number
  /** Fewer than `minBatch` waiting: written in one transaction, one commit for all (else one by one). */
  groupCommit?: boolean
}

/**
 * Sends on their way to the database. One queue for the instance, in the order the sends came, and up to
 * `writers` writes in flight, each on a connection of its own. Order within a conversation is kept by one
 * rule: a conversation with a write in flight has none other started until it is done, so its sends are
 * written (and take their seqs) in the order they came, while other conversations' sends go on meanwhile.
 *
 * Each time a write ends, or sends arrive, the waiting sends of conversations not in flight are looked at:
 *
 * - `minBatch` or more: one batched statement (`insertMany`), up to `max`, on any free writer. One round
 *   trip, one plan and one commit for all of them, so under load the batches grow with the queue and the
 *   cost per message falls.
 * - fewer: the first alone (its prepared statement, planned once per connection), but only while fewer
 *   than `singles` single writes are in flight; otherwise they wait, and join the next batch. With
 *   `groupCommit`, the few go as their single statements in one transaction instead, one commit for all.
 *
 * Why `singles` is smaller than `writers`: a single send costs Postgres a statement and a commit of its
 * own. With a writer for every single (eight, before), a queue seldom formed, so nearly every send paid
 * that in full and Postgres ran out of CPU first; with two, the sends that arrive while both are busy wait
 * a moment and go together (docs/performance.md). A send at a quiet moment still goes alone, at once.
 *
 * Why not a batched statement for two or three: Postgres plans the batched statement anew for each call —
 * its prepared plan, made without the arrays, is costed for a hundred elements each and always loses to a
 * fresh one — and that planning costs the same whatever the batch's size, several times a single send's
 * prepared statement. Below six sends the batch costs more than the sends one by one. Forcing the prepared
 * plan is no cure: it keeps what the statistics said when it was made, and on a new database that is a scan
 * of the then tiny message table for every batch. (Measurements: docs/performance.md.)
 *
 * Resolves with the row written, or undefined when none was (see MessageStore.insert / insertMany).
 */
export function sendQueue(
  store: MessageStore,
  { max = 100, minBatch = 6, writers = 8, singles = 2, groupCommit = false }: SendQueueOptions = {},
) {
  const maxWrites = Math.max(1, writers)
  const maxSingles = Math.max(1, Math.min(singles, maxWrites))
  let waiting: Pending[] = []
  /** Conversations with a write in flight. */
  const busy = new Set<string>()
  let inFlight = 0
  let singlesInFlight = 0
  let scheduled = false

  async function alone(batch: Pending[]) {
    for (const p of batch) await store.insert(p.message.viewer, p.message).then(p.resolve, p.reject)
  }

  /**
   * Writes a batch, and returns how to answer its sends. The answers wait until the writer is free and the
   * next writes have started: each answer acks and broadcasts its message, and while the server does that
   * for a batch, the database is already writing the next (see start).
   */
  async function write(batch: Pending[], batched: boolean): Promise<() => void> {
    try {
      if (batch.length === 1) {
        const [p] = batch as [Pending]
        const row = await store.insert(p.message.viewer, p.message)
        return () => p.resolve(row)
      }
      if (!batched) {
        const rows = await store.insertGroup(batch.map((p) => p.message))
        return () => {
          for (const [i, p] of batch.entries()) p.resolve(rows[i])
        }
      }
      const rows = await store.insertMany(batch.map((p) => p.message))
      return () => {
        for (const p of batch) p.resolve(rows.get(p.message.id))
      }
    } catch (error) {
      if (batch.length === 1 || (!isUniqueViolation(error) && !isDeadlock(error)))
        return () => {
          for (const p of batch) p.reject(error)
        }
      // Another instance stored one of these meanwhile (or locked the same conversations): nothing was
      // written; each goes on its own, where a replay is told apart from the rest.
      await alone(batch)
      return () => {}
    }
  }

  function start(batch: Pending[], batched: boolean) {
    inFlight++
    if (!batched) singlesInFlight++
    const conversations = new Set(batch.map((p) => p.message.conversationId))
    for (const c of conversations) busy.add(c)
    void write(batch, batched).then((answer) => {
      inFlight--
      if (!batched) singlesInFlight--
      for (const c of conversations) busy.delete(c)
      // The next writes first, the answers after. Order within a conversation holds: a next write of these
      // conversations is answered in a later turn of the event loop, after its round trip, so after these.
      pump()
      answer()
    })
  }

  function pump() {
    scheduled = false
    while (inFlight < maxWrites && waiting.length > 0) {
      // The waiting sends of conversations not in flight, in the order they came.
      const ready = new Set<Pending>()
      for (const p of waiting) {
        if (ready.size === max) break
        if (!busy.has(p.message.conversationId)) ready.add(p)
      }
      let batch: Pending[]
      if (ready.size >= minBatch) batch = [...ready]
      else if (ready.size > 0 && singlesInFlight < maxSingles)
        batch = groupCommit ? [...ready] : [ready.values().next().value!]
      else return
      const taken = new Set(batch)
      waiting = waiting.filter((p) => !taken.has(p))
      start(batch, batch.length >= minBatch)
    }
  }

  return {
    insert(message: NewMessage): Promise<SentRow | undefined> {
      return new Promise((resolve, reject) => {
        waiting.push({ message, resolve, reject })
        if (scheduled) return
        // Not at once: after the packets read in this turn of the event loop, which go together.
        scheduled = true
        setImmediate(pump)
      })
    },
  }
}
