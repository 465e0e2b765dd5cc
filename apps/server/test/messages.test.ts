import type { JoinResponse, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import {
  type ClientSocket,
  chatApi,
  emitAck,
  joinAll,
  MANY_SENDS,
  nextEvent,
  record,
  startServer,
  useServer,
  waitUntil,
} from './helpers.ts'

const server = useServer(MANY_SENDS)

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const uuid = () => crypto.randomUUID()
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
/** A connected socket of the guest that views `conversationId`. */
async function viewer(guest: JoinResponse, conversationId: string): Promise<ClientSocket> {
  const socket = await server.connect({ token: guest.token })
  expect(await emitAck(socket, 'conversation:join', { conversationId })).toMatchObject({ ok: true })
  return socket
}
/** A fresh event, its lobby and a direct conversation between its first two guests. */
async function setup(...names: string[]) {
  const { eventId, lobbyId } = await server.createEvent()
  const [a, b, ...rest] = await joinAll(server, eventId, 'Ana', 'Ben', ...names)
  const direct = (await as(a!).post('/conversations', { kind: 'direct', userId: b!.user.id })).body
    .id as string
  return { eventId, lobbyId, direct, a: a!, b: b!, rest }
}

describe('sending', () => {
  it('over REST: 201 with the stored message, then 200 with the identical original on replay', async () => {
    const { lobbyId, a, b } = await setup()
    const seen = record<Message>(await viewer(b, lobbyId), 'message:new')
    const clientMessageId = uuid()
    const first = await as(a).send(lobbyId, '  hello \n', { clientMessageId })
    expect(first.status).toBe(201)
    expect(first.body).toEqual({
      id: expect.any(String),
      conversationId: lobbyId,
      seq: 1,
      rev: 1,
      senderId: a.user.id,
      clientMessageId,
      content: 'hello',
      replyToId: null,
      timestamp: ISO,
      editedAt: null,
      deletedAt: null,
      deletedBy: null,
      reactions: [],
    })
    const replay = await as(a).send(lobbyId, 'something else', { clientMessageId })
    expect([replay.status, replay.body]).toEqual([200, first.body])
    const marker = await as(a).send(lobbyId, 'marker')
    await waitUntil(() => seen.length === 2, 'marker')
    expect(seen.map((m) => m.id)).toEqual([first.body.id, marker.body.id])
    expect(seen[0]).toEqual(first.body)
  })

  it('over the socket: ack {ok, data: Message}, the seed payload, and message:new to the room', async () => {
    const { lobbyId, a, b } = await setup()
    const aSocket = await viewer(a, lobbyId)
    const bSocket = await viewer(b, lobbyId)
    // Ben's other device, not viewing the lobby: it gets the badge instead of the message.
    const bElsewhere = await server.connect({ token: b.token })
    const bReceived = nextEvent<{ senderId: string; preview: string }>(
      bElsewhere,
      'conversation:message-received',
    )
    const badgesOnViewer = record(bSocket, 'conversation:message-received')
    const own = record<Message>(aSocket, 'message:new')
    const theirs = record<Message>(bSocket, 'message:new')
    const ack = await emitAck<Message>(aSocket, 'message:send', {
      conversationId: lobbyId,
      content: ' hi ',
      clientMessageId: uuid(),
      senderId: b.user.id,
    })
    expect(ack).toMatchObject({ ok: true, data: { content: 'hi', senderId: a.user.id, seq: 1 } })
    expect(await bReceived).toMatchObject({ senderId: a.user.id, preview: 'hi', conversationId: lobbyId })

    const messageId = `msg_${Date.now()}`
    const seed = await emitAck<Message>(aSocket, 'message:send', {
      conversationId: lobbyId,
      content: 'from the seed client',
      messageId,
      timestamp: new Date(),
    })
    expect(seed).toMatchObject({ ok: true, data: { clientMessageId: messageId, seq: 2 } })
    const replay = await emitAck(aSocket, 'message:send', {
      conversationId: lobbyId,
      content: 'x',
      messageId,
    })
    expect(replay).toEqual(seed)
    await waitUntil(() => own.length === 2 && theirs.length === 2, 'both messages on both sockets')
    expect(theirs.map((m) => m.clientMessageId)).toEqual([ack.ok && ack.data.clientMessageId, messageId])
    expect(own).toEqual(theirs)
    expect(badgesOnViewer).toEqual([])
    bElsewhere.disconnect()
  })

  it('trims content; empty, whitespace-only and too long text is VALIDATION on both transports', async () => {
    const { lobbyId, a } = await setup()
    const socket = await server.connect({ token: a.token })
    const before = await server.counts()
    const bad = [
      { content: '' },
      { content: '  \n\t ' },
      { content: 'x'.repeat(4001) },
      { content: 7 },
      {},
      { content: 'ok', clientMessageId: 'has space' },
      { content: 'ok', clientMessageId: 'x'.repeat(65) },
      { content: 'ok', replyToId: 'nope' },
    ]
    for (const body of bad) {
      const res = await as(a).post(`/conversations/${lobbyId}/messages`, { clientMessageId: uuid(), ...body })
      expect([res.status, res.body.error.code], JSON.stringify(body).slice(0, 60)).toEqual([
        400,
        'VALIDATION',
      ])
      const ack = await emitAck(socket, 'message:send', {
        conversationId: lobbyId,
        clientMessageId: uuid(),
        ...body,
      })
      expect(ack, JSON.stringify(body).slice(0, 60)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      })
    }
    expect(await server.counts()).toEqual(before)
    const longest = await as(a).send(lobbyId, ` ${'x'.repeat(4000)}\n`)
    expect([longest.status, longest.body.content.length]).toEqual([201, 4000])

    const small = await startServer({ LIMIT_MESSAGE_CHARS: '10' })
    try {
      const { eventId, lobbyId: lobby } = await small.createEvent()
      const guest = await small.join(eventId, 'Ana')
      const api = chatApi(small, guest.token)
      expect((await api.send(lobby, ' 0123456789 ')).body.content).toBe('0123456789')
      const tooLong = await api.send(lobby, '0123456789a')
      expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'VALIDATION'])
      const smallSocket = await small.connect({ token: guest.token })
      const ack = await emitAck(smallSocket, 'message:send', {
        conversationId: lobby,
        clientMessageId: uuid(),
        content: '0123456789a',
      })
      expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    } finally {
      await small.close()
    }
  })

  it('replyToId must be a message of the same conversation', async () => {
    const { lobbyId, direct, a } = await setup()
    const original = (await as(a).send(direct, 'question')).body
    const reply = await as(a).send(direct, 'answer', { replyToId: original.id })
    expect([reply.status, reply.body.replyToId]).toEqual([201, original.id])
    const socket = await server.connect({ token: a.token })
    for (const replyToId of [original.id, uuid()]) {
      const res = await as(a).send(lobbyId, 'elsewhere', { replyToId })
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION'])
      const ack = await emitAck(socket, 'message:send', {
        conversationId: lobbyId,
        clientMessageId: uuid(),
        content: 'x',
        replyToId,
      })
      expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    }
  })
  it('UNAUTHORIZED without a valid session on both transports; a logged-out socket is dropped', async () => {
    const { lobbyId, a } = await setup()
    const noSession = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: 'not-a-token',
      body: { clientMessageId: uuid(), content: 'hi' },
    })
    expect([noSession.status, noSession.body.error.code]).toEqual([401, 'UNAUTHORIZED'])
    const refused = await server.connect({ token: 'not-a-token' }).catch((error) => error)
    expect(refused).toMatchObject({ message: 'UNAUTHORIZED', data: { code: 'UNAUTHORIZED' } })
    const socket = await server.connect({ token: a.token })
    for (const payload of [undefined, 'text', 42, null]) {
      const ack = await emitAck(socket, 'message:send', payload)
      expect(ack, String(payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    }
    const dropped = nextEvent(socket, 'disconnect')
    await server.api('POST', '/api/auth/logout', { token: a.token })
    await dropped
    expect((await as(a).send(lobbyId, 'after logout')).status).toBe(401)
  })

  it('PAYLOAD_TOO_LARGE: REST answers 413; an oversized socket packet closes that connection only', async () => {
    const { lobbyId, a, b } = await setup()
    const huge = 'x'.repeat(70 * 1024)
    const before = await server.counts()
    const res = await as(a).send(lobbyId, huge)
    expect([res.status, res.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE'])
    const bystander = await viewer(b, lobbyId)
    const socket = await server.connect({ token: a.token })
    const closed = nextEvent<string>(socket, 'disconnect')
    socket.emit('message:send', { conversationId: lobbyId, clientMessageId: uuid(), content: huge }, () => {})
    // socket.io (ws maxPayload = maxHttpBufferSize) drops the connection instead of acking.
    expect(await closed).toMatch(/transport (close|error)/)
    expect(await server.counts()).toEqual(before)
    expect(bystander.connected).toBe(true)
    const again = await server.connect({ token: a.token })
    const ack = await emitAck(again, 'message:send', {
      conversationId: lobbyId,
      clientMessageId: uuid(),
      content: 'ok',
    })
    expect(ack).toMatchObject({ ok: true, data: { seq: 1 } })
    expect((await server.api('GET', '/readyz')).status).toBe(200)
  })
})

describe('history and recovery', () => {
  it('pages newest first with hasMore, each page in seq order', async () => {
    const { direct, a, b } = await setup()
    for (let i = 1; i <= 7; i++) await as(i % 2 ? a : b).send(direct, `m${i}`)
    const page = async (query: string) => {
      const res = await as(b).get(`/conversations/${direct}/messages${query}`)
      return [res.body.messages.map((m: Message) => m.seq), res.body.hasMore]
    }
    expect(await page('?limit=3')).toEqual([[5, 6, 7], true])
    expect(await page('?beforeSeq=5&limit=3')).toEqual([[2, 3, 4], true])
    expect(await page('?beforeSeq=2&limit=3')).toEqual([[1], false])
    expect(await page('')).toEqual([[1, 2, 3, 4, 5, 6, 7], false])
    expect(await page('?limit=7')).toEqual([[1, 2, 3, 4, 5, 6, 7], false])
    for (const query of [
      '?limit=101',
      '?limit=0',
      '?beforeSeq=-1',
      '?beforeSeq=x',
      '?beforeSeq=3&sinceRev=1',
    ]) {
      const res = await as(b).get(`/conversations/${direct}/messages${query}`)
      expect([res.status, res.body.error.code], query).toEqual([400, 'VALIDATION'])
    }
  })

  it('?sinceRev= and POST /sync return edits, deletes and reactions made while a client was away', async () => {
    const { lobbyId, direct, a, b, rest } = await setup('Cy')
    const [m1, m2, m3] = [
      (await as(a).send(lobbyId, 'one')).body,
      (await as(a).send(lobbyId, 'two')).body,
      (await as(a).send(lobbyId, 'three')).body,
    ]
    const quietDirect = (await as(b).post('/conversations', { kind: 'direct', userId: rest[0]!.user.id }))
      .body
    await as(b).send(quietDirect.id, 'nothing new here')
    await as(a).send(direct, 'dm')
    const away = (await as(b).get('/conversations')).body.conversations
    const revOf = (id: string) => away.find((c: { id: string }) => c.id === id).lastRev as number
    expect(revOf(lobbyId)).toBe(3)

    await as(a).put(`/conversations/${lobbyId}/messages/${m1.id}`, { content: 'one, edited' })
    await as(a).del(`/conversations/${lobbyId}/messages/${m2.id}`)
    await as(rest[0]!).post(`/conversations/${lobbyId}/messages/${m3.id}/reaction`, { emoji: '🎉' })
    const m4 = (await as(a).send(lobbyId, 'four')).body
    await as(a).send(direct, 'dm 2')

    const since = (await as(b).get(`/conversations/${lobbyId}/messages?sinceRev=3`)).body
    expect(since.hasMore).toBe(false)
    expect(since.messages.map((m: Message) => [m.id, m.rev])).toEqual([
      [m1.id, 4],
      [m2.id, 5],
      [m3.id, 6],
      [m4.id, 7],
    ])
    expect(since.messages[0]).toMatchObject({ content: 'one, edited', editedAt: ISO, seq: 1 })
    expect(since.messages[1]).toMatchObject({ content: '', deletedAt: ISO, deletedBy: a.user.id, seq: 2 })
    expect(since.messages[2].reactions).toEqual([{ emoji: '🎉', userIds: [rest[0]!.user.id] }])

    const sync = await as(b).post('/sync', {
      cursors: [
        { conversationId: lobbyId, rev: revOf(lobbyId) },
        { conversationId: direct, rev: revOf(direct) },
        { conversationId: quietDirect.id, rev: revOf(quietDirect.id) },
        { conversationId: uuid(), rev: 0 },
      ],
    })
    expect(sync.status).toBe(200)
    const changes = sync.body.changes as { conversationId: string; messages: Message[] }[]
    expect(changes.map((c) => c.conversationId)).toEqual([lobbyId, direct, quietDirect.id])
    expect(changes[0]).toMatchObject({ lastSeq: 4, lastRev: 7, hasMore: false })
    expect(changes[0]!.messages).toEqual(since.messages)
    expect(changes[1]!.messages.map((m) => m.content)).toEqual(['dm 2'])
    expect(changes[2]).toMatchObject({ lastSeq: 1, lastRev: 1, messages: [], hasMore: false })
    for (const body of [
      {},
      { cursors: [{ conversationId: lobbyId }] },
      { cursors: [{ conversationId: 'x', rev: 0 }] },
    ]) {
      expect((await as(b).post('/sync', body)).body.error.code).toBe('VALIDATION')
    }
  })
})
