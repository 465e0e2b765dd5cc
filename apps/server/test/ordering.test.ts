import type { Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { chatApi, emitAck, record, startServer, useServer, waitUntil } from './helpers.ts'

const server = useServer({
  LIMIT_SEND_PER_SEC: '100000',
  LIMIT_SEND_BURST: '100000',
  LIMIT_JOINS_PER_MIN: '100000',
  // A burst of concurrent sends is what this file orders; admission control (which would refuse part of
  // it on a slow machine, for the outbox to send again) has tests of its own.
  LIMIT_SEND_QUEUE_MS: '600000',
})

const uuid = () => crypto.randomUUID()
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
const bySeq = (messages: Message[]) => [...messages].sort((x, y) => x.seq - y.seq)

async function storedSeqs(conversationId: string) {
  return server.app.db.sql.query<{ id: string; seq: number; clientMessageId: string }>(
    'SELECT id, seq, "clientMessageId" FROM "Message" WHERE "conversationId" = $1 ORDER BY seq',
    [conversationId],
  )
}

describe('ordering', () => {
  it('20 clients sending at once: seq is exactly 1..N and everyone receives every message once', async () => {
    const CLIENTS = 20
    const EACH = 10
    const N = CLIENTS * EACH
    const { eventId, lobbyId } = await server.createEvent('Rush')
    const guests = await Promise.all(range(CLIENTS).map((i) => server.join(eventId, `Guest ${i}`)))
    const sockets = await Promise.all(guests.map((g) => server.connect({ token: g.token })))
    for (const s of sockets) {
      expect(await emitAck(s, 'conversation:join', { conversationId: lobbyId })).toMatchObject({ ok: true })
    }
    const inboxes = sockets.map((s) => record<Message>(s, 'message:new'))

    const acks = await Promise.all(
      sockets.flatMap((s, c) =>
        range(EACH).map((i) =>
          emitAck<Message>(
            s,
            'message:send',
            { conversationId: lobbyId, clientMessageId: uuid(), content: `client ${c} message ${i}` },
            30_000,
          ),
        ),
      ),
    )
    const sent = acks.map((a) => {
      if (!a.ok) throw new Error(`send refused: ${JSON.stringify(a.error)}`)
      return a.data
    })
    expect(sent.map((m) => m.seq).sort((x, y) => x - y)).toEqual(range(N))

    const rows = await storedSeqs(lobbyId)
    expect(rows.map((r) => r.seq)).toEqual(range(N))
    const head = (await chatApi(server, guests[0]!.token).get(`/conversations/${lobbyId}`)).body
    expect([head.lastSeq, head.lastRev]).toEqual([N, N])

    await waitUntil(
      () => inboxes.every((inbox) => inbox.length >= N),
      'every message at every client',
      30_000,
    )
    const expected = rows.map((r) => r.id)
    for (const inbox of inboxes) {
      expect(inbox).toHaveLength(N)
      expect(new Set(inbox.map((m) => m.id)).size).toBe(N)
      expect(bySeq(inbox).map((m) => m.id)).toEqual(expected)
    }
    // What was broadcast is what was acked.
    expect(bySeq(inboxes[0]!)).toEqual(bySeq(sent))
  })

  it('the same clientMessageId over socket and HTTP at once: one row, one answer, one broadcast', async () => {
    const { eventId, lobbyId } = await server.createEvent('Retry')
    const sender = await server.join(eventId, 'Sender')
    const watcher = await server.join(eventId, 'Watcher')
    const api = chatApi(server, sender.token)
    const [socketA, socketB] = [
      await server.connect({ token: sender.token }),
      await server.connect({ token: sender.token }),
    ]
    const watching = await server.connect({ token: watcher.token })
    expect(await emitAck(watching, 'conversation:join', { conversationId: lobbyId })).toMatchObject({
      ok: true,
    })
    const broadcasts = record<Message>(watching, 'message:new')

    const ROUNDS = 6
    for (let round = 1; round <= ROUNDS; round++) {
      const payload = { clientMessageId: uuid(), content: `round ${round}` }
      const [http, sockets] = await Promise.all([
        Promise.all([1, 2, 3].map(() => api.post(`/conversations/${lobbyId}/messages`, payload))),
        Promise.all(
          [socketA, socketB, socketA].map((s) =>
            emitAck<Message>(s, 'message:send', { conversationId: lobbyId, ...payload }, 15_000),
          ),
        ),
      ])
      const answers = [
        ...http.map((r) => r.body as Message),
        ...sockets.map((a) => (a.ok ? a.data : a.error)),
      ]
      for (const answer of answers) expect(answer).toEqual(answers[0])
      expect(answers[0]).toMatchObject({ seq: round, clientMessageId: payload.clientMessageId })
      expect(http.filter((r) => r.status === 201).length).toBeLessThanOrEqual(1)
      expect(http.every((r) => r.status === 200 || r.status === 201)).toBe(true)
    }

    // A later message is broadcast after every earlier one: once it arrives, nothing earlier is still on its way.
    const marker = (await api.send(lobbyId, 'marker')).body as Message
    await waitUntil(() => broadcasts.some((m) => m.id === marker.id), 'the marker')
    expect(broadcasts.map((m) => m.seq)).toEqual(range(ROUNDS + 1))
    const rows = await storedSeqs(lobbyId)
    expect(rows.map((r) => r.seq)).toEqual(range(ROUNDS + 1))
    expect(new Set(rows.map((r) => r.clientMessageId)).size).toBe(ROUNDS + 1)
  })
})

describe('send rate limit', () => {
  it('is one bucket per user over socket and HTTP: RATE_LIMITED with retryAfterMs on both', async () => {
    const limited = await startServer({ LIMIT_SEND_PER_SEC: '1', LIMIT_SEND_BURST: '4' })
    try {
      const { eventId, lobbyId } = await limited.createEvent()
      const [ana, ben] = [await limited.join(eventId, 'Ana'), await limited.join(eventId, 'Ben')]
      const api = chatApi(limited, ana.token)
      const socket = await limited.connect({ token: ana.token })
      const viaSocket = (clientMessageId: string = uuid()) =>
        emitAck<Message>(socket, 'message:send', { conversationId: lobbyId, clientMessageId, content: 'hi' })

      const first = await viaSocket()
      expect(first.ok).toBe(true)
      expect((await api.send(lobbyId, 'two')).status).toBe(201)
      expect((await viaSocket()).ok).toBe(true)
      expect((await api.send(lobbyId, 'four')).status).toBe(201)
      const before = await limited.counts()

      const http = await api.send(lobbyId, 'five')
      expect([http.status, http.body.error.code]).toEqual([429, 'RATE_LIMITED'])
      expect(http.body.error.retryAfterMs).toBeGreaterThan(0)
      expect(http.body.error.retryAfterMs).toBeLessThanOrEqual(1000)
      expect(http.headers.get('retry-after')).toBe('1')
      const ack = await viaSocket()
      expect(ack).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) },
      })
      expect(await limited.counts()).toEqual(before)

      // A replay costs nothing: the outbox can always learn that its message went through.
      expect(await viaSocket(first.ok ? first.data.clientMessageId : '')).toEqual(first)
      // Another user has a bucket of their own.
      expect((await chatApi(limited, ben.token).send(lobbyId, 'unaffected')).status).toBe(201)

      const retryAfterMs = ack.ok ? 0 : (ack.error.retryAfterMs ?? 0)
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 50))
      expect((await viaSocket()).ok).toBe(true)
    } finally {
      await limited.close()
    }
  })
})
