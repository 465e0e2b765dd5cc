import { type Attachment, type Message, newId } from '@secura/shared'
import {
  byOrder,
  type ChatDb,
  deleteOutboxEntry,
  type Mentions,
  type OutboxEntry,
  type OutboxFile,
  putOutboxEntry,
  readOutbox,
  updateOutboxEntry,
} from './db.ts'
import { ApiError } from './http.ts'
import { abortError, type OutboxLock, rejectOnAbort } from './lock.ts'
import { MAX_UPLOAD_AGAIN, missingUploads, toOutboxFile, withoutUpload } from './outbox-files.ts'
import { isMutedRefusal, isRetryable, type RetryPolicy, retryDelay, toChatError } from './retry.ts'
import type { OutgoingFile } from './types.ts'

export interface OutboxDeps {
  db: ChatDb
  senderId: string
  lock: OutboxLock
  policy: RetryPolicy
  /** One attempt: socket with ack timeout, then HTTP. Resolves with the stored message. */
  deliver: (entry: OutboxEntry, signal: AbortSignal) => Promise<Message>
  /** Uploads one file of a message to its conversation, reporting bytes sent. */
  upload: (
    entry: OutboxEntry,
    file: OutboxFile,
    signal: AbortSignal,
    onProgress: (sent: number, total: number) => void,
  ) => Promise<Attachment>
  /** The upload progress changed (per file: the fraction sent). */
  onUploads: (uploads: Record<string, number>) => void
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
  private inFlight:
    | { clientMessageId: string; settled: AbortController; uploading?: string | undefined }
    | undefined
  /** Per file uploading or uploaded in this tab: the fraction sent. */
  private uploads: Record<string, number> = {}
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
    files: readonly OutgoingFile[] = [],
  ): Promise<OutboxEntry> {
    const entry: OutboxEntry = {
      clientMessageId: newId(),
      conversationId,
      senderId: this.deps.senderId,
      content,
      replyToId,
      ...(mentions.userIds?.length ? { mentions: mentions.userIds } : {}),
      ...(mentions.here ? { mentionsHere: true } : {}),
      ...(files.length > 0 && { files: files.map(toOutboxFile) }),
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
    // Its upload stops now; a message already being sent is not called back (the server may have it).
    if (this.inFlight?.clientMessageId === clientMessageId && this.inFlight.uploading)
      this.inFlight.settled.abort()
    this.changed(this.entries.filter((e) => e.clientMessageId !== clientMessageId))
  }

  async removeFile(clientMessageId: string, localId: string): Promise<void> {
    let emptied = false
    await updateOutboxEntry(this.deps.db, clientMessageId, (e) => {
      const files = (e.files ?? []).filter((f) => f.localId !== localId)
      emptied = files.length === 0 && e.content.trim() === ''
      return { ...e, files }
    })
    if (emptied) return this.discard(clientMessageId)
    const flight = this.inFlight
    // The file being uploaded: stop it; the message goes on with the rest.
    if (flight?.clientMessageId === clientMessageId && flight.uploading === localId) flight.settled.abort()
    this.changed(await readOutbox(this.deps.db))
    this.kick()
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
      message = await Promise.race([
        this.uploadThenDeliver(entry, settled.signal),
        rejectOnAbort(settled.signal),
      ])
    } catch (error) {
      if (signal.aborted) throw abortError()
      // Seen delivered (its message:new came) while the socket was silent: nothing left to do.
      if (settled.signal.aborted) return
      if (await this.uploadAgain(entry, error, attempts)) return
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

  /**
   * The server no longer has some uploads of this message (unsent uploads are removed after a day: a
   * message held that long, by a mute or a failure, outlives them): upload those again and send at once.
   */
  private async uploadAgain(entry: OutboxEntry, error: unknown, attempts: number): Promise<boolean> {
    const missing = missingUploads(error)
    if (missing.size === 0 || attempts > MAX_UPLOAD_AGAIN) return false
    const gone = (f: OutboxFile) => f.attachment !== undefined && missing.has(f.attachment.id)
    // As stored now: the uploads of this attempt are recorded there, not in `entry`.
    let again = false
    await updateOutboxEntry(this.deps.db, entry.clientMessageId, (e) => {
      again = e.files?.some(gone) ?? false
      if (!again) return e
      return {
        ...withoutError(e),
        attempts,
        nextAttemptAt: 0,
        files: e.files?.map((f) => (gone(f) ? withoutUpload(f) : f)),
      }
    })
    if (again) this.refresh(await readOutbox(this.deps.db))
    return again
  }

  /** Uploads the files not uploaded yet, each recorded in IndexedDB at once (never uploaded twice), then sends. */
  private async uploadThenDeliver(entry: OutboxEntry, signal: AbortSignal): Promise<Message> {
    let current = entry
    for (;;) {
      const file = current.files?.find((f) => !f.attachment)
      if (!file) break
      const attachment = await this.uploadOne(current, file, signal)
      const withUpload = (e: OutboxEntry): OutboxEntry => ({
        ...e,
        files: e.files?.map((f) => (f.localId === file.localId ? { ...f, attachment } : f)),
      })
      const next = await updateOutboxEntry(this.deps.db, current.clientMessageId, withUpload)
      // Discarded meanwhile (here or in another tab): nothing more to do for it.
      if (!next) throw abortError()
      current = next
      this.refresh(await readOutbox(this.deps.db))
    }
    return this.deps.deliver(current, signal)
  }

  private async uploadOne(entry: OutboxEntry, file: OutboxFile, signal: AbortSignal): Promise<Attachment> {
    if (this.inFlight) this.inFlight.uploading = file.localId
    const progress = (fraction: number) => {
      this.uploads = { ...this.uploads, [file.localId]: fraction }
      this.deps.onUploads(this.uploads)
    }
    progress(0)
    try {
      const attachment = await this.deps.upload(entry, file, signal, (sent, total) =>
        progress(total > 0 ? Math.min(1, sent / total) : 0),
      )
      progress(1)
      return attachment
    } catch (error) {
      const { [file.localId]: _dropped, ...rest } = this.uploads
      this.uploads = rest
      this.deps.onUploads(this.uploads)
      // Refused: say which file, since the message may carry several.
      if (error instanceof ApiError && !isRetryable(error))
        throw new ApiError(error.code, error.status, `${file.name}: ${error.message}`, error.details)
      throw error
    } finally {
      if (this.inFlight) this.inFlight.uploading = undefined
    }
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
    // Progress is kept for the files still queued only.
    const queued = new Set(this.entries.flatMap((e) => e.files?.map((f) => f.localId) ?? []))
    const kept = Object.entries(this.uploads).filter(([localId]) => queued.has(localId))
    if (kept.length === Object.keys(this.uploads).length) return
    this.uploads = Object.fromEntries(kept)
    this.deps.onUploads(this.uploads)
  }

  /** Takes what IndexedDB holds now, telling the UI only if something it shows changed. */
  private refresh(entries: OutboxEntry[]) {
    const shown = (list: readonly OutboxEntry[]) =>
      list
        .map((e) => {
          const files = e.files?.map((f) => `${f.localId}${f.attachment ? '+' : ''}`).join(',')
          return `${e.clientMessageId}:${e.state}:${e.order}:${e.content}:${e.error?.code}:${files}`
        })
        .join('|')
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
