import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openChatDb } from './db.ts'
import { createLeaseLock } from './lock.ts'
import { uniqueDb } from './testing/harness.ts'

type Page = { addEventListener?: unknown; removeEventListener?: unknown }

/** A page's `pagehide`, fired as the browser fires it when a tab closes or is put in the back-forward cache. */
function pageHide(target: EventTarget, persisted: boolean) {
  target.dispatchEvent(Object.assign(new Event('pagehide'), { persisted }))
}

describe('the IndexedDB lease when a tab closes', () => {
  const page = globalThis as Page
  let target: EventTarget
  beforeEach(() => {
    target = new EventTarget()
    page.addEventListener = target.addEventListener.bind(target)
    page.removeEventListener = target.removeEventListener.bind(target)
  })
  afterEach(() => {
    delete page.addEventListener
    delete page.removeEventListener
  })

  async function holder(persisted: boolean) {
    const db = await openChatDb(uniqueDb())
    const options = { leaseMs: 60_000, pollMs: 20 }
    const stop = new AbortController()
    let held!: () => void
    const holding = new Promise<void>((resolve) => (held = resolve))
    const closingTab = createLeaseLock(db, 'outbox', options)
    void closingTab.run(() => {
      held()
      return new Promise(() => undefined) // the tab is draining when it closes
    }, stop.signal)
    await holding
    pageHide(target, persisted)
    const nextTab = createLeaseLock(db, 'outbox', options)
    const took = nextTab.run(async () => 'taken', AbortSignal.timeout(1_000))
    return { db, took }
  }

  it('is freed on pagehide, so the next tab takes it at once instead of after its expiry', async () => {
    const { db, took } = await holder(false)
    await expect(took).resolves.toBe('taken')
    db.close()
  })

  it('is kept by a page put in the back-forward cache, which may come back and go on draining', async () => {
    const { db, took } = await holder(true)
    await expect(took).rejects.toThrow()
    db.close()
  })
})
