import { type Message, newId } from '@secura/shared'
import {
  byOrder,
  type ChatDb,
  deleteOutboxEntry,
  type Mentions,
  type OutboxEntry,
  putOutboxEntry,
  readOutbox,
  updateOutboxEntry,
} from './db.ts'
import { abortError, type OutboxLock, rejectOnAbort } from './lock.ts'
import { isMutedRefusal, isRetryable, type RetryPolicy, retryDelay, toChatError } from './retry.ts'

export interface OutboxDeps {
  db: ChatDb
  senderId: string
  lock: OutboxLock
  policy: RetryPolicy
  /** One attempt: socket with ack timeout, then HTTP. Resolves with the stored message. */
  deliver: (entry: OutboxEntry, signal: AbortSignal) => Promise<Message>
  /** The server has it: apply the message and remove the entry in one write; resolves once written. */
  onDelivered: (entry: OutboxEntry, message: Message) => Promise<void>
  /** The entries changed (here or, through `reload`, in another tab). */
  onChange: () => void
  /** Tells the other tabs the outbox changed. */
  announce: () => void
}

/**
 * The outbox (protocol §6): every message is in IndexedDB before its first attempt and leaves only when
 * the server has it. Messages of one conversation go in order; a conversation whose first message is
 * backing off does not hold up the others. Only the tab holding the outbox lock sends; it re-reads the
 * outbox before each attempt, so it also sends what other tabs queued.
 */
export class Outbox {
  /** In outbox order; a new array on each change. */
  entries: readonly OutboxEntry[] = []
  private readonly stopping = new AbortController()
  private running: Promise<void> | undefined
  private wakeUp: (() => void) | undefined
  /** The attempt in flight: cancelled (no HTTP fallback) if the message shows up delivered meanwhile. */
  private inFlight: { clientMessageId: string; settled: AbortController } | undefined
  /** Messages to try at once, their backoff notwithstanding: the connection just came back. */
  private woken = new Set<string>()

  constructor(private readonly deps: OutboxDeps) {}

  async load(): Promise<void> {
    this.setEntries(await readOutbox(this.deps.db))
  }

  /** Another tab changed the outbox: show its state, and help send if something is pending. */
  async reload(): Promise<void> {
    await this.load()
    this.deps.onChange()
    this.kick()
  }

  async enqueue(
    conversationId: string,
    content: string,
    replyToId: string | null,
    mentions: Mentions = {},
  ): Promise<OutboxEntry> {
    const entry: OutboxEntry = {
      clientMessageId: newId(),
      conversationId,
      senderId: this.deps.senderId,
      content,
      replyToId,
      ...(mentions.userIds?.length ? { mentions: mentions.userIds } : {}),
      ...(mentions.here ? { mentionsHere: true } : {}),
      createdAt: new Date().toISOString(),
      order: this.nextOrder(),
      attempts: 0,
      state: 'pending',
      nextAttemptAt: 0,
    }
    await putOutboxEntry(this.deps.db, entry)
    this.changed([...this.entries, entry])
    this.kick()
    return entry
  }

  /** A failed message goes again, behind what is queued; a waiting one goes now. */
  retry(clientMessageId: string): Promise<void> {
    return this.requeue(clientMessageId, (e) => e)
  }

  editFailed(clientMessageId: string, content: string): Promise<void> {
    return this.requeue(clientMessageId, (e) => ({ ...e, content }))
  }

  async discard(clientMessageId: string): Promise<void> {
    await deleteOutboxEntry(this.deps.db, clientMessageId)
    this.changed(this.entries.filter((e) => e.clientMessageId !== clientMessageId))
  }

  /** The server has these (seen in a message:new or a sync): the caller removes them from IndexedDB. */
  forget(clientMessageIds: Iterable<string>): void {
    const ids = new Set(clientMessageIds)
    if (this.inFlight && ids.has(this.inFlight.clientMessageId)) this.inFlight.settled.abort()
    if (!this.entries.some((e) => ids.has(e.clientMessageId))) return
    this.changed(this.entries.filter((e) => !ids.has(e.clientMessageId)))
  }

  /** The connection is back: try waiting messages now instead of at the end of their backoff. */
  wake(): void {
    for (const e of this.entries) if (e.state === 'pending') this.woken.add(e.clientMessageId)
    this.wakeUp?.()
    this.kick()
  }

  /** Starts sending unless this tab already is (or waits for the lock). */
  kick(): void {
    if (this.running || this.stopping.signal.aborted) return
    if (!this.entries.some((e) => e.state === 'pending')) return
    this.running = this.drain().finally(() => {
      this.running = undefined
    })
  }

  /** Stops sending at once (the tab is closing): nothing more is attempted; resolves once the lock is let go. */
  async stop(): Promise<void> {
    this.stopping.abort()
    this.wakeUp?.()
    await this.running
  }

  private async drain(): Promise<void> {
    const signal = this.stopping.signal
    while (!signal.aborted && this.entries.some((e) => e.state === 'pending')) {
      try {
        await this.deps.lock.run(() => this.drainLocked(), signal)
      } catch (error) {
        if (signal.aborted) return
        // IndexedDB or the lock failed unexpectedly: pause before trying again.
        console.error('outbox', error)
        await this.waitOrWake(this.deps.policy.maxMs)
      }
    }
  }

  private async drainLocked(): Promise<void> {
    const signal = this.stopping.signal
    for (;;) {
      if (signal.aborted) throw abortError()
      this.refresh(await readOutbox(this.deps.db))
      const heads = this.conversationHeads()
      if (heads.length === 0) return
      const now = Date.now()
      const due = heads.find((e) => e.nextAttemptAt <= now || this.woken.has(e.clientMessageId))
      if (!due) {
        await this.waitOrWake(Math.min(...heads.map((e) => e.nextAttemptAt)) - now)
        continue
      }
      this.woken.delete(due.clientMessageId)
      await this.attempt(due)
    }
  }

  /** The first pending message of each conversation, in outbox order. */
  private conversationHeads(): OutboxEntry[] {
    const seen = new Set<string>()
    const heads: OutboxEntry[] = []
    for (const entry of this.entries) {
      if (entry.state !== 'pending' || seen.has(entry.conversationId)) continue
      seen.add(entry.conversationId)
      heads.push(entry)
    }
    return heads
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    const signal = this.stopping.signal
    const attempts = entry.attempts + 1
    // Aborted when the tab stops or the message shows up delivered meanwhile.
    const settled = new AbortController()
    const onStop = () => settled.abort()
    signal.addEventListener('abort', onStop, { once: true })
    this.inFlight = { clientMessageId: entry.clientMessageId, settled }
    let message: Message
    try {
      message = await Promise.race([this.deps.deliver(entry, settled.signal), rejectOnAbort(settled.signal)])
    } catch (error) {
      if (signal.aborted) throw abortError()
      // Seen delivered (its message:new came) while the socket was silent: nothing left to do.
      if (settled.signal.aborted) return
      const failed = !isRetryable(error)
      await updateOutboxEntry(this.deps.db, entry.clientMessageId, (e) =>
        failed
          ? { ...e, attempts, state: 'failed', error: toChatError(error) }
          : {
              ...withoutError(e),
              attempts,
              nextAttemptAt: Date.now() + retryDelay(attempts, error, this.deps.policy),
              // A held message says why (the app shows the mute); other waits keep no error.
              ...(isMutedRefusal(error) && { error: toChatError(error) }),
            },
      )
      this.refresh(await readOutbox(this.deps.db))
      if (failed) this.deps.announce()
      return
    } finally {
      this.inFlight = undefined
      signal.removeEventListener('abort', onStop)
    }
    await this.deps.onDelivered(entry, message)
    this.changed(this.entries.filter((e) => e.clientMessageId !== entry.clientMessageId))
  }

  private async requeue(clientMessageId: string, edit: (entry: OutboxEntry) => OutboxEntry) {
    const order = this.nextOrder()
    await updateOutboxEntry(this.deps.db, clientMessageId, (e) => {
      const { error: _error, ...rest } = edit(e)
      return e.state === 'failed'
        ? { ...rest, state: 'pending', attempts: 0, nextAttemptAt: 0, order }
        : { ...rest, nextAttemptAt: 0 }
    })
    this.changed(await readOutbox(this.deps.db))
    this.wake()
  }

  private waitOrWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakeUp = undefined
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      this.wakeUp = done
    })
  }

  private nextOrder(): number {
    const last = this.entries.reduce((max, e) => Math.max(max, e.order), 0)
    return Math.max(Date.now(), last + 1)
  }

  private setEntries(entries: OutboxEntry[]) {
    this.entries = entries.sort(byOrder)
  }

  /** Takes what IndexedDB holds now, telling the UI only if something it shows changed. */
  private refresh(entries: OutboxEntry[]) {
    const shown = (list: readonly OutboxEntry[]) =>
      list.map((e) => `${e.clientMessageId}:${e.state}:${e.order}:${e.content}:${e.error?.code}`).join('|')
    const before = shown(this.entries)
    this.setEntries(entries)
    if (shown(this.entries) !== before) this.deps.onChange()
  }

  private changed(entries: OutboxEntry[]) {
    this.setEntries(entries)
    this.deps.onChange()
    this.deps.announce()
  }
}

function withoutError(entry: OutboxEntry): OutboxEntry {
  const { error: _error, ...rest } = entry
  return rest
}
