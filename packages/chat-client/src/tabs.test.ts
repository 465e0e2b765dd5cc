import type { Conversation } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openChatDb } from './db.ts'
import { FakeServer } from './testing/fake-server.ts'
import {
  type Client,
  type ClientOptions,
  createClient,
  FakeLockManager,
  ME,
  OTHER,
  sleep,
  uniqueDb,
  waitFor,
} from './testing/harness.ts'

const sendPath = /\/messages$/

/** Every attempt that reached a transport, by clientMessageId, over both tabs. */
function attempts(...clients: Client[]) {
  const ids = clients.flatMap((c) => [
    ...c.socket.emitted.filter((e) => e.event === 'message:send').map((e) => e.payload),
    ...c.http.calls
      .filter((call) => call.method === 'POST' && sendPath.test(call.path))
      .map((call) => call.body),
  ])
  return ids.map((p) => (p as { clientMessageId: string }).clientMessageId)
}

describe('two tabs of one user', () => {
  let server: FakeServer
  let conversation: Conversation
  const clients: Client[] = []

  async function tab(options: ClientOptions) {
    const c = createClient(server, options)
    clients.push(c)
    await c.storage.start()
    await waitFor('connected', () => c.socket.connected)
    await c.storage.openConversation(conversation.id)
    return c
  }

  beforeEach(() => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
  })

  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  async function sendFromBoth(a: Client, b: Client) {
    for (const c of [a, b]) c.socket.ackDelayMs.set('message:send', 15)
    await Promise.all([
      a.storage.send(conversation.id, 'a1'),
      b.storage.send(conversation.id, 'b1'),
      a.storage.send(conversation.id, 'a2'),
      b.storage.send(conversation.id, 'b2'),
    ])
    await waitFor('all stored', () => server.messagesOf(conversation.id).length === 4)
    await waitFor('both settled', () => a.snapshot().outboxSize === 0 && b.snapshot().outboxSize === 0)
  }

  it('never both send: the IndexedDB lease lets one tab drain the shared outbox', async () => {
    const db = uniqueDb()
    const a = await tab({ db, locks: null })
    const b = await tab({ db, locks: null })
    await sendFromBoth(a, b)

    const sent = attempts(a, b)
    expect(sent).toHaveLength(4)
    expect(new Set(sent).size).toBe(4)
    for (const m of server.messagesOf(conversation.id))
      expect(server.stored(m.clientMessageId)).toHaveLength(1)
    // Each tab shows all four, sent, once.
    for (const c of [a, b]) {
      await waitFor(
        'all shown',
        () => c.messages(conversation.id).filter((m) => m.state === 'sent').length === 4,
      )
      expect(c.messages(conversation.id)).toHaveLength(4)
    }
  })

  it('never both send: with the Web Locks API, one holder at a time', async () => {
    const db = uniqueDb()
    const locks = new FakeLockManager()
    const a = await tab({ db, locks })
    const b = await tab({ db, locks })
    await sendFromBoth(a, b)

    const sent = attempts(a, b)
    expect(sent).toHaveLength(4)
    expect(new Set(sent).size).toBe(4)
    expect(locks.maxHeld).toBe(1)
  })

  it('a lease left by a tab that died is taken over once it expires', async () => {
    const db = uniqueDb()
    const b = await tab({ db, locks: null })
    const expiresAt = Date.now() + 400
    const raw = await openChatDb(db)
    await raw.put('locks', { name: 'outbox', owner: 'a tab that crashed', expiresAt })
    raw.close()

    await b.storage.send(conversation.id, 'orphaned lock')
    await sleep(60)
    expect(attempts(b)).toEqual([]) // the lease still holds
    await waitFor('delivered', () => server.messagesOf(conversation.id).length === 1)
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt)
    expect(attempts(b)).toHaveLength(1)
  })

  it('a message sent by the other tab leaves this tab’s pending list', async () => {
    const db = uniqueDb()
    const a = await tab({ db, locks: null })
    const b = await tab({ db, locks: null })
    await a.storage.send(conversation.id, 'from a')
    await waitFor('b sees it sent', () => b.messages(conversation.id)[0]?.state === 'sent')
    await sleep(20)
    expect(b.messages(conversation.id)).toHaveLength(1)
    expect(b.snapshot().outboxSize).toBe(0)
  })
})
