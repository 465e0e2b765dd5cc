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
import type { LocalMessage } from './types.ts'

const sendPath = /\/messages$/
const sent = (list: LocalMessage[]) => list.filter((m) => m.state === 'sent')
const clientIdOf = (m: LocalMessage | undefined) => m?.clientMessageId

describe('outbox', () => {
  let server: FakeServer
  let conversation: Conversation
  let client: Client
  const clients: Client[] = []

  async function started(options: Parameters<typeof createClient>[1] = { db: uniqueDb() }) {
    const c = createClient(server, options)
    clients.push(c)
    await c.storage.start()
    return c
  }

  beforeEach(async () => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
    client = await started()
    await waitFor('connected', () => client.socket.connected)
    await client.storage.openConversation(conversation.id)
  })

  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  it('falls back to HTTP when the socket does not ack in time, and the server stores it once', async () => {
    client.socket.acks = 'lost'
    await client.storage.send(conversation.id, 'hello')
    const [message] = await waitFor(
      'sent',
      () => sent(client.messages(conversation.id)).length === 1 && sent(client.messages(conversation.id)),
    )

    const id = clientIdOf(message)!
    expect(client.socket.emitted.filter((e) => e.event === 'message:send')).toHaveLength(1)
    expect(client.http.calls.filter((c) => c.method === 'POST' && sendPath.test(c.path))).toEqual([
      expect.objectContaining({ body: expect.objectContaining({ clientMessageId: id, content: 'hello' }) }),
    ])
    expect(server.log).toContain(`send ${id} http`)
    expect(server.stored(id)).toHaveLength(1)
    expect(client.snapshot().outboxSize).toBe(0)
  })

  it('a message whose message:new arrives while the ack is late is settled: no HTTP replay', async () => {
    client.socket.acks = 'unacked'
    await client.storage.send(conversation.id, 'once')
    await waitFor(
      'sent',
      () => client.snapshot().outboxSize === 0 && sent(client.messages(conversation.id)).length,
    )
    await sleep(150) // past the ack timeout

    const id = clientIdOf(client.messages(conversation.id)[0])!
    expect(server.log.filter((l) => l.startsWith(`send ${id}`))).toEqual([`send ${id} socket`])
    expect(client.http.count('POST', sendPath)).toBe(0)
    expect(contents(client.messages(conversation.id))).toEqual(['once'])
  })

  it('when the socket delivered but neither ack nor broadcast came, the HTTP replay gets the original', async () => {
    client.socket.acks = 'unacked'
    server.dropBroadcasts = true
    await client.storage.send(conversation.id, 'once')
    await waitFor(
      'sent',
      () => client.snapshot().outboxSize === 0 && sent(client.messages(conversation.id)).length,
    )

    const id = clientIdOf(client.messages(conversation.id)[0])!
    expect(server.log.filter((l) => l.startsWith(`send ${id}`))).toEqual([
      `send ${id} socket`,
      `send ${id} http`,
    ])
    expect(server.stored(id)).toHaveLength(1)
    expect(client.messages(conversation.id)).toEqual([
      expect.objectContaining({ id: server.stored(id)[0]!.id, state: 'sent', content: 'once' }),
    ])
  })

  it('backs off on 503 and retries until it succeeds', async () => {
    client.socket.reachable = false
    client.socket.drop()
    client.http.fail('POST', sendPath, { code: 'UNAVAILABLE', status: 503 }, 2)
    await client.storage.send(conversation.id, 'persistent')
    expect(client.messages(conversation.id).map((m) => m.state)).toEqual(['pending'])

    await waitFor('sent', () => sent(client.messages(conversation.id)).length === 1)
    const posts = client.http.calls.filter((c) => c.method === 'POST' && sendPath.test(c.path))
    expect(posts).toHaveLength(3)
    // Same id every time; delays grow: base 20 ms × 2^(n-1), jitter fixed at 0.75 of it.
    expect(new Set(posts.map((p) => (p.body as { clientMessageId: string }).clientMessageId)).size).toBe(1)
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(14)
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(29)
    expect(server.messagesOf(conversation.id).map((m) => m.content)).toEqual(['persistent'])
  })

  it('waits at least as long as RATE_LIMITED asks', async () => {
    client.socket.reachable = false
    client.socket.drop()
    client.http.fail('POST', sendPath, { code: 'RATE_LIMITED', status: 429, retryAfterMs: 150 })
    await client.storage.send(conversation.id, 'slow down')
    await waitFor('sent', () => sent(client.messages(conversation.id)).length === 1)
    const posts = client.http.calls.filter((c) => c.method === 'POST' && sendPath.test(c.path))
    expect(posts).toHaveLength(2)
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(148)
  })

  it('a send refused under load (UNAVAILABLE in the ack) waits retryAfterMs and goes again over the socket, in order', async () => {
    // What an overloaded server answers (admission control): twice, then it takes the message.
    const refusals: number[] = []
    client.socket.scripted.set('message:send', () => {
      if (refusals.length >= 2) return undefined
      refusals.push(Date.now())
      return {
        ok: false,
        error: {
          code: 'UNAVAILABLE',
          message: 'Too many messages are being sent right now; retry shortly',
          retryAfterMs: 150,
          details: { reason: 'overloaded' },
        },
      }
    })
    await client.storage.send(conversation.id, 'first')
    await client.storage.send(conversation.id, 'second')
    await waitFor('refused once', () => refusals.length === 1)
    expect(client.messages(conversation.id).map((m) => m.state)).toEqual(['pending', 'pending'])

    await waitFor('both sent', () => sent(client.messages(conversation.id)).length === 2, 3000)
    const sends = client.socket.emitted.filter((e) => e.event === 'message:send')
    const ids = sends.map((e) => (e.payload as { clientMessageId: string }).clientMessageId)
    const [first, second] = client.messages(conversation.id).map(clientIdOf)
    // The first went three times (refused twice), the second only after it: nothing skipped ahead.
    expect(ids).toEqual([first, first, first, second])
    expect(refusals[1]! - refusals[0]!).toBeGreaterThanOrEqual(148)
    expect(client.http.count('POST', sendPath)).toBe(0)
    expect(server.stored(first!)).toHaveLength(1)
    expect(server.messagesOf(conversation.id).map((m) => m.content)).toEqual(['first', 'second'])
    expect(client.messages(conversation.id).some((m) => m.state === 'failed')).toBe(false)
  })

  it('marks a message failed on a 400, keeps the error, and retry / edit / discard work', async () => {
    client.socket.reachable = false
    client.socket.drop()
    client.http.fail('POST', sendPath, { code: 'VALIDATION', status: 400 }, 3)
    await client.storage.send(conversation.id, 'first')
    await client.storage.send(conversation.id, 'second')
    await client.storage.send(conversation.id, 'third')
    await waitFor('all failed', () => client.messages(conversation.id).every((m) => m.state === 'failed'))

    const [first, second, third] = client.messages(conversation.id)
    expect(first).toMatchObject({ state: 'failed', content: 'first', error: { code: 'VALIDATION' } })
    expect(client.http.count('POST', sendPath)).toBe(3)
    await sleep(60)
    expect(client.http.count('POST', sendPath)).toBe(3) // a 4xx is not retried by itself

    await client.storage.discard(clientIdOf(second)!)
    await client.storage.editFailed(clientIdOf(third)!, 'third, edited')
    await client.storage.retry(clientIdOf(first)!)
    await waitFor('both sent', () => sent(client.messages(conversation.id)).length === 2)

    expect(contents(client.messages(conversation.id))).toEqual(['third, edited', 'first'])
    expect(server.stored(clientIdOf(second)!)).toHaveLength(0)
    expect(server.stored(clientIdOf(third)!)[0]?.content).toBe('third, edited')
    expect(client.snapshot().outboxSize).toBe(0)
  })

  it('an error in the ack is final too: no HTTP fallback for a refused message', async () => {
    client.socket.scripted.set('message:send', () => ({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'not a member' },
    }))
    await client.storage.send(conversation.id, 'nope')
    await waitFor('failed', () => client.messages(conversation.id)[0]?.state === 'failed')
    expect(client.messages(conversation.id)[0]).toMatchObject({ error: { code: 'FORBIDDEN' } })
    expect(client.http.count('POST', sendPath)).toBe(0)
  })

  it('holds a message refused because the sender is muted, shows why, and sends it once the mute ends', async () => {
    const until = new Date(Date.now() + 60_000).toISOString()
    const muted = { muted: true, until, reason: 'Cool down' }
    let refusing = true
    client.socket.scripted.set('message:send', () =>
      refusing
        ? { ok: false, error: { code: 'FORBIDDEN', message: 'muted', retryAfterMs: 60_000, details: muted } }
        : undefined,
    )
    await client.storage.send(conversation.id, 'held')
    await waitFor('muted shown', () => client.snapshot().muted !== null)
    expect(client.snapshot().muted).toEqual({ until, reason: 'Cool down' })
    const [held] = client.messages(conversation.id)
    expect(held).toMatchObject({ state: 'pending', content: 'held' })
    expect(client.snapshot().outboxSize).toBe(1)

    // Lifted early: the server says so, and the held message goes at once.
    refusing = false
    client.socket.deliver('user:moderated', {
      userId: ME,
      role: 'guest',
      mutedUntil: null,
      muteReason: null,
    })
    await waitFor('sent', () => sent(client.messages(conversation.id)).length === 1)
    expect(client.snapshot().muted).toBeNull()
    expect(server.stored(clientIdOf(held)!)).toHaveLength(1)
  })

  it('shows queued messages at once, in order, pending; sends them in that order', async () => {
    client.socket.acks = 'lost'
    client.http.down = true
    for (const text of ['a', 'b', 'c']) await client.storage.send(conversation.id, text)
    const shown = client.messages(conversation.id)
    expect(shown.map((m) => [m.content, m.state])).toEqual([
      ['a', 'pending'],
      ['b', 'pending'],
      ['c', 'pending'],
    ])
    expect(client.snapshot().outboxSize).toBe(3)

    client.socket.acks = 'auto'
    client.http.down = false
    await waitFor('all sent', () => sent(client.messages(conversation.id)).length === 3)
    expect(server.messagesOf(conversation.id).map((m) => [m.seq, m.content])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ])
    expect(contents(client.messages(conversation.id))).toEqual(['a', 'b', 'c'])
  })

  it('a conversation whose first message backs off does not hold up another conversation', async () => {
    const other = server.addConversation([ME, OTHER])
    client.socket.reachable = false
    client.socket.drop()
    client.http.fail(
      'POST',
      new RegExp(`${conversation.id}/messages$`),
      { code: 'UNAVAILABLE', status: 503 },
      50,
    )
    await client.storage.send(conversation.id, 'stuck')
    await client.storage.send(other.id, 'free')
    await waitFor('other sent', () => server.messagesOf(other.id).length === 1)
    expect(server.messagesOf(conversation.id)).toHaveLength(0)
  })
})

// A page served over plain http from a LAN name or address is not a secure context: it has neither
// crypto.randomUUID nor the Web Locks API (the harness's default `locks: null` is the IndexedDB lease).
describe('outbox on plain http (no crypto.randomUUID, no Web Locks)', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  const proto = Object.getPrototypeOf(crypto) as Crypto
  const randomUUID = Object.getOwnPropertyDescriptor(proto, 'randomUUID')
  const clients: Client[] = []

  beforeEach(() => {
    Reflect.deleteProperty(proto, 'randomUUID')
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
    if (randomUUID) Object.defineProperty(proto, 'randomUUID', randomUUID)
  })

  it('queues and delivers each message once, in order, under ids from getRandomValues', async () => {
    expect('randomUUID' in crypto).toBe(false)
    const server = new FakeServer()
    const conversation = server.addConversation([ME, OTHER])
    const client = createClient(server, { db: uniqueDb() })
    clients.push(client)
    await client.storage.start()
    await client.storage.openConversation(conversation.id)

    for (const text of ['a', 'b', 'c']) await client.storage.send(conversation.id, text)
    await waitFor('all sent', () => sent(client.messages(conversation.id)).length === 3)

    const ids = client.messages(conversation.id).map(clientIdOf)
    expect(new Set(ids).size).toBe(3)
    for (const id of ids) {
      expect(id).toMatch(UUID_V4)
      expect(server.stored(id!)).toHaveLength(1)
    }
    expect(server.messagesOf(conversation.id).map((m) => m.content)).toEqual(['a', 'b', 'c'])
    expect(client.errors).toEqual([])
  })
})
