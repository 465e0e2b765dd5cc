import { newId } from '@secura/shared'
import type { ChatDb } from './db.ts'

/**
 * One tab at a time drains the outbox (protocol §6: never a double send; the server's idempotency on
 * clientMessageId is only the backstop). The Web Locks API does it natively; where it is missing
 * (older browsers, Node in tests) a lease in IndexedDB does the same: taken in a readwrite transaction,
 * which IndexedDB runs one at a time across tabs, renewed while held, and taken over once it has expired
 * (a tab that crashed while holding it).
 */
export interface OutboxLock {
  /** Runs `task` while holding the lock; rejects with an AbortError if `signal` aborts while waiting. */
  run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T>
}

/** The part of the Web Locks API used here. */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal }, task: () => Promise<T>): Promise<T>
}

export function webLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator
  return nav?.locks
}

export function createWebLock(locks: LockManagerLike, name: string): OutboxLock {
  return { run: (task, signal) => locks.request(name, { signal }, task) }
}

export interface LeaseOptions {
  /** A lease not renewed for this long is free to take. */
  leaseMs: number
  /** How often a waiting tab tries again. */
  pollMs: number
}

export function createLeaseLock(
  db: ChatDb,
  name: string,
  { leaseMs, pollMs }: LeaseOptions = { leaseMs: 10_000, pollMs: 500 },
): OutboxLock {
  const owner = newId()

  async function tryAcquire(): Promise<boolean> {
    const tx = db.transaction('locks', 'readwrite')
    const lease = await tx.store.get(name)
    const now = Date.now()
    const free = !lease || lease.owner === owner || lease.expiresAt <= now
    if (free) await tx.store.put({ name, owner, expiresAt: now + leaseMs })
    await tx.done
    return free
  }

  async function release() {
    const tx = db.transaction('locks', 'readwrite')
    const lease = await tx.store.get(name)
    if (lease?.owner === owner) await tx.store.delete(name)
    await tx.done
  }

  return {
    async run(task, signal) {
      while (!(await tryAcquire())) await sleep(pollMs, signal)
      const renew = setInterval(() => void tryAcquire().catch(() => undefined), leaseMs / 3)
      // A closing tab frees the lease at once, so a tab opened next need not wait for it to expire. A page
      // kept in the back-forward cache (persisted) may come back and go on draining: it keeps the lease.
      const onPageHide = (event: { persisted?: boolean }) => {
        if (!event.persisted) void release().catch(() => undefined)
      }
      const page = globalThis as {
        addEventListener?: typeof addEventListener
        removeEventListener?: typeof removeEventListener
      }
      page.addEventListener?.('pagehide', onPageHide)
      try {
        return await task()
      } finally {
        clearInterval(renew)
        page.removeEventListener?.('pagehide', onPageHide)
        await release().catch(() => undefined)
      }
    },
  }
}

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError())
    const timer = setTimeout(done, ms)
    function done() {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }
    function onAbort() {
      clearTimeout(timer)
      reject(abortError())
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export const abortError = () => new DOMException('Stopped', 'AbortError')

/** Never resolves; rejects with an AbortError when `signal` aborts. */
export function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(abortError())
    signal.addEventListener('abort', () => reject(abortError()), { once: true })
  })
}
