import type { Conversation } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeServer } from './testing/fake-server.ts'
import {
  type Client,
  contents,
  createClient,
  ME,
  OTHER,
  sleep,
  uniqueDb,
  waitFor,
} from './testing/harness.ts'

const say = (server: FakeServer, conversationId: string, content: string, from = OTHER) =>
  server.send(from, { conversationId, content, clientMessageId: crypto.randomUUID() }, 'socket').message

describe('sync', () => {
  let server: FakeServer
  let conversation: Conversation
  const clients: Client[] = []

  async function started(options: Partial<Parameters<typeof createClient>[1]> = {}) {
    const c = createClient(server, { db: uniqueDb(), ...options })
    clients.push(c)
    await c.storage.start()
    return c
  }

  async function opened(options: Partial<Parameters<typeof createClient>[1]> = {}) {
    const c = await started(options)
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

  it('on reconnect joins first, and fetches changes only once the join is acked', async () => {
    const client = await opened()
    client.socket.ackDelayMs.set('conversation:join', 30)
    client.socket.drop()
    server.log.length = 0
    client.socket.up()
    await waitFor('synced', () => server.log.includes('sync'))
    const joined = server.log.indexOf('ack conversation:join')
    expect(joined).toBeGreaterThanOrEqual(0)
    expect(joined).toBeLessThan(server.log.indexOf('sync'))
    expect(client.http.calls.at(-1)?.path).toBe('/api/chat/conversations') // then the list and unread counts
  })

  it('opening a conversation joins it before loading its latest page', async () => {
    const client = await started()
    await waitFor('connected', () => client.socket.connected)
    client.socket.ackDelayMs.set('conversation:join', 30)
    say(server, conversation.id, 'before')
    server.log.length = 0
    await client.storage.openConversation(conversation.id)
    expect(server.log.filter((l) => l !== 'list' && !l.startsWith('join ')).slice(0, 3)).toEqual([
      'ack conversation:join',
      `head ${conversation.id}`,
      `history ${conversation.id}`,
    ])
    expect(contents(client.messages(conversation.id))).toEqual(['before'])
  })

  it('fetches the missing messages at once when a message:new skips seqs', async () => {
    // A rev gap alone would wait revGapMs: the seq gap must not.
    const client = await opened({ timing: { revGapMs: 60_000 } })
    say(server, conversation.id, 'one')
    await waitFor('delivered', () => client.messages(conversation.id).length === 1)
    server.dropBroadcasts = true
    say(server, conversation.id, 'two')
    say(server, conversation.id, 'three')
    server.dropBroadcasts = false
    const syncs = client.http.count('POST', /\/sync$/)
    say(server, conversation.id, 'four')
    await waitFor('gap filled', () => client.messages(conversation.id).length === 4, 500)
    expect(client.messages(conversation.id).map((m) => 'seq' in m && m.seq)).toEqual([1, 2, 3, 4])
    expect(contents(client.messages(conversation.id))).toEqual(['one', 'two', 'three', 'four'])
    expect(client.http.count('POST', /\/sync$/)).toBe(syncs + 1)
  })

  it('a lost edit is fetched when a later change arrives with a rev beyond the next one', async () => {
    const client = await opened()
    const message = say(server, conversation.id, 'draft')
    await waitFor('delivered', () => client.messages(conversation.id).length === 1)
    server.dropBroadcasts = true
    server.edit(OTHER, message.id, 'final')
    server.dropBroadcasts = false
    server.react(OTHER, message.id, '👍', 'add')
    await waitFor('edit fetched', () => client.messages(conversation.id)[0]?.content === 'final')
    expect(client.messages(conversation.id)[0]).toMatchObject({
      reactions: [{ emoji: '👍', userIds: [OTHER] }],
    })
  })

  it('resync on reconnect applies edits, deletes (tombstones), reactions and new messages', async () => {
    const client = await opened()
    const [a, b, c] = ['a', 'b', 'c'].map((t) => say(server, conversation.id, t))
    await waitFor('delivered', () => client.messages(conversation.id).length === 3)
    client.socket.reachable = false
    client.socket.drop()
    server.edit(OTHER, a!.id, 'a, edited')
    server.remove(OTHER, b!.id)
    server.react(OTHER, c!.id, '🎉', 'add')
    say(server, conversation.id, 'd')
    client.socket.reachable = true
    client.socket.up()
    await waitFor('resynced', () => client.messages(conversation.id).length === 4)
    await waitFor('all applied', () => client.messages(conversation.id)[0]?.content === 'a, edited')

    const [ma, mb, mc, md] = client.messages(conversation.id)
    expect(ma).toMatchObject({ content: 'a, edited', editedAt: expect.any(String) })
    expect(mb).toMatchObject({ content: '', deletedAt: expect.any(String), deletedBy: OTHER, state: 'sent' })
    expect(mc).toMatchObject({ reactions: [{ emoji: '🎉', userIds: [OTHER] }] })
    expect(md).toMatchObject({ content: 'd', seq: 4 })
    expect(client.snapshot().connection).toBe('connected')
  })

  it('a message received both as ack and as message:new is shown once; a stale copy changes nothing', async () => {
    const client = await opened()
    await client.storage.send(conversation.id, 'mine')
    await waitFor('sent', () => client.messages(conversation.id)[0]?.state === 'sent')
    const [stored] = server.messagesOf(conversation.id)
    expect(client.socket.emitted.filter((e) => e.event === 'message:send')).toHaveLength(1)
    client.socket.deliver('message:new', stored!) // a duplicate broadcast
    await client.storage.edit(stored!.id, 'mine, edited')
    client.socket.deliver('message:new', stored!) // an older version, late
    await sleep(10)
    expect(client.messages(conversation.id)).toEqual([
      expect.objectContaining({ id: stored!.id, content: 'mine, edited', state: 'sent' }),
    ])
  })

  it('polls over HTTP while the socket is down, and only then', async () => {
    const client = await opened({ timing: { pollMs: 20, headCheckMs: 60_000 } })
    server.dropBroadcasts = true
    const lists = () => client.http.count('GET', /\/conversations$/)
    const before = lists()
    await sleep(100)
    expect(lists()).toBe(before) // connected: no polling

    client.socket.reachable = false
    client.socket.drop()
    await waitFor('reconnecting', () => client.snapshot().connection === 'reconnecting')
    say(server, conversation.id, 'while down')
    await waitFor('polled in', () => contents(client.messages(conversation.id)).includes('while down'))
    expect(lists()).toBeGreaterThan(before)
  })

  it('checks heads periodically while connected and fetches what was missed', async () => {
    const client = await opened({ timing: { headCheckMs: 30 } })
    server.dropBroadcasts = true
    say(server, conversation.id, 'silent')
    await waitFor('head check', () => contents(client.messages(conversation.id)).includes('silent'))
    expect(client.snapshot().conversations[0]).toMatchObject({ lastSeq: 1, unreadCount: 1 })
  })

  it('follows the browser offline and online: reconnects at once and resyncs', async () => {
    const client = await opened()
    client.network.set(false)
    await waitFor('offline', () => client.snapshot().connection === 'offline')
    client.socket.reachable = false
    client.socket.drop()
    await sleep(5)
    expect(client.snapshot().connection).toBe('offline')
    say(server, conversation.id, 'missed')

    const connects = client.socket.connectCalls
    const lists = client.http.count('GET', /\/conversations$/)
    client.socket.reachable = true
    client.network.set(true)
    expect(client.socket.connectCalls).toBe(connects + 1)
    await waitFor('resynced', () => contents(client.messages(conversation.id)).includes('missed'))
    expect(client.http.count('GET', /\/conversations$/)).toBeGreaterThan(lists)
    await waitFor('connected', () => client.snapshot().connection === 'connected')
  })

  it('reconnects by itself when the server closed the socket (a restart), and resyncs', async () => {
    const client = await opened()
    const connects = client.socket.connectCalls
    client.socket.kick()
    say(server, conversation.id, 'said during the restart')
    await waitFor('reconnected', () => client.socket.connected && client.socket.connectCalls > connects)
    await waitFor('resynced', () =>
      contents(client.messages(conversation.id)).includes('said during the restart'),
    )
    expect(client.snapshot().connection).toBe('connected')
  })

  it('a sync too far behind drops the cache for the latest page', async () => {
    const client = await opened({ timing: { maxSyncRounds: 1 } })
    client.socket.reachable = false
    client.socket.drop()
    for (let i = 1; i <= 120; i++) say(server, conversation.id, `m${i}`)
    client.socket.reachable = true
    client.socket.up()
    await waitFor('latest page', () => client.messages(conversation.id).at(-1)?.content === 'm120')
    const shown = client.messages(conversation.id)
    expect(shown).toHaveLength(50)
    expect(shown[0]).toMatchObject({ seq: 71 })
    expect(client.snapshot().hasOlder[conversation.id]).toBe(true)
    await client.storage.loadOlder(conversation.id)
    expect(client.messages(conversation.id)[0]).toMatchObject({ seq: 21 })
  })
})
