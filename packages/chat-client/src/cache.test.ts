import type { Conversation } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CACHED_MESSAGES, chatDbName, openChatDb } from './db.ts'
import { deleteChatCache } from './index.ts'
import { FakeServer } from './testing/fake-server.ts'
import {
  type Client,
  contents,
  createClient,
  eventually,
  ME,
  OTHER,
  sleep,
  uniqueDb,
  waitFor,
} from './testing/harness.ts'

const say = (server: FakeServer, conversationId: string, content: string) =>
  server.send(OTHER, { conversationId, content, clientMessageId: crypto.randomUUID() }, 'socket').message

describe('cache', () => {
  let server: FakeServer
  let conversation: Conversation
  const clients: Client[] = []

  function client(db: string) {
    const c = createClient(server, { db })
    clients.push(c)
    return c
  }

  beforeEach(() => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
  })

  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  it('shows the cached conversations and messages before the transport connects (offline start)', async () => {
    const db = uniqueDb()
    for (const text of ['one', 'two', 'three']) say(server, conversation.id, text)
    const first = client(db)
    await first.storage.start()
    await waitFor('connected', () => first.socket.connected)
    await first.storage.openConversation(conversation.id)
    await waitFor('listed', () => first.snapshot().conversations.length === 1)
    first.storage.stop()
    await sleep(20)

    const second = client(db)
    second.socket.reachable = false
    second.http.down = true
    const seen: string[][] = []
    second.storage.subscribe((s) => seen.push(contents(s.messages[conversation.id] ?? [])))
    await second.storage.start()
    expect(seen[0]).toEqual(['one', 'two', 'three']) // the very first snapshot
    expect(second.snapshot().conversations.map((c) => c.id)).toEqual([conversation.id])
    expect(second.socket.connected).toBe(false)
    expect(second.http.calls).toHaveLength(0)

    // Offline, opening the cached conversation works and keeps what is shown.
    await second.storage.openConversation(conversation.id)
    expect(contents(second.messages(conversation.id))).toEqual(['one', 'two', 'three'])
  })

  it('after a restart, syncs from the cached rev: only the changes are fetched', async () => {
    const db = uniqueDb()
    const [a] = ['a', 'b'].map((text) => say(server, conversation.id, text))
    const first = client(db)
    await first.storage.start()
    await waitFor('connected', () => first.socket.connected)
    await first.storage.openConversation(conversation.id)
    first.storage.stop()
    await sleep(20)

    server.edit(OTHER, a!.id, 'a, edited')
    say(server, conversation.id, 'c')
    const second = client(db)
    await second.storage.start()
    await waitFor('connected', () => second.socket.connected)
    await second.storage.openConversation(conversation.id)
    await waitFor('synced', () => second.messages(conversation.id).length === 3)

    expect(contents(second.messages(conversation.id))).toEqual(['a, edited', 'b', 'c'])
    expect(second.http.count('GET', /\/messages\?limit/)).toBe(0) // no full reload
    const syncBody = second.http.calls.find((c) => c.path.endsWith('/sync'))?.body
    expect(syncBody).toEqual({ cursors: [{ conversationId: conversation.id, rev: 2 }] })
  })

  it(`keeps the newest ${CACHED_MESSAGES} messages of a conversation, and knows older ones exist`, async () => {
    const db = uniqueDb()
    for (let i = 1; i <= 260; i++) say(server, conversation.id, `m${i}`)
    const first = client(db)
    await first.storage.start()
    await waitFor('connected', () => first.socket.connected)
    await first.storage.openConversation(conversation.id)
    for (let page = 0; page < 5; page++) await first.storage.loadOlder(conversation.id)
    expect(first.messages(conversation.id)).toHaveLength(260)
    expect(first.snapshot().hasOlder[conversation.id]).toBe(false)
    first.storage.stop()
    await sleep(50)

    // stop() lets the last writes finish in the background: read once they are there.
    await eventually(async () => {
      const raw = await openChatDb(db)
      const cached = await raw.getAllFromIndex('messages', 'bySeq')
      const meta = await raw.get('meta', conversation.id)
      raw.close()
      expect(cached).toHaveLength(CACHED_MESSAGES)
      expect(cached[0]?.seq).toBe(61)
      expect(meta).toMatchObject({ floorSeq: 61, rev: 260 })
    })

    const second = client(db)
    second.socket.reachable = false
    second.http.down = true
    await second.storage.start()
    expect(second.messages(conversation.id)).toHaveLength(CACHED_MESSAGES)
    expect(second.snapshot().hasOlder[conversation.id]).toBe(true)
  })

  it('deleteChatCache erases a user’s cache and outbox on this device', async () => {
    const me = { id: ME, eventId: 'event-1' }
    const db = chatDbName(me)
    const first = client(db)
    first.socket.reachable = false
    first.http.down = true
    await first.storage.start()
    await first.storage.send(conversation.id, 'never sent')
    first.storage.stop()
    await sleep(20)
    await deleteChatCache(me)

    const second = client(db)
    second.socket.reachable = false
    second.http.down = true
    await second.storage.start()
    expect(second.snapshot().outboxSize).toBe(0)
    expect(second.messages(conversation.id)).toEqual([])
  })
})
