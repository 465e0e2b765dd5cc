import { randomUUID } from 'node:crypto'
import { ClientEventSchemas } from '@secura/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, emitAck, quiet, startServer, type TestServer, waitUntil } from './helpers.ts'
import { SecurityReport } from './security/report.ts'

const EVENTS_PER_SEC = 5
const PACKET_BYTES = 4096
/** Small limits, to reach them quickly. */
let tight: TestServer
/** Default limits but a generous event rate, for the payload tests (they emit many events). */
let roomy: TestServer
beforeAll(async () => {
  // One after the other: two embedded databases starting at once are slow on a busy 2-core machine.
  tight = await startServer({
    LIMIT_SOCKETS_PER_USER: '2',
    LIMIT_EVENTS_PER_SEC: String(EVENTS_PER_SEC),
    LIMIT_PACKET_BYTES: String(PACKET_BYTES),
  })
  roomy = await startServer({ LIMIT_EVENTS_PER_SEC: '100000' })
})
const report = new SecurityReport('limits', 'floods, oversized and forged input')
afterAll(async () => {
  report.finish()
  await Promise.all([tight?.close(), roomy?.close()])
})

async function guest(server: TestServer, name = 'Guest') {
  const { eventId, lobbyId } = await server.createEvent()
  const { token, user } = await server.join(eventId, name)
  return { eventId, lobbyId, token, id: user.id }
}

const userSockets = (server: TestServer, userId: string) =>
  server.app.chat.adapter.rooms.get(`user:${userId}`)?.size ?? 0

async function refusal(server: TestServer, token: string): Promise<Error & { data?: { code: string } }> {
  try {
    const socket = await server.connect({ token })
    socket.disconnect()
  } catch (error) {
    return error as Error & { data?: { code: string } }
  }
  throw new Error('the handshake was accepted')
}

describe('limits', () => {
  it(
    'sockets per user (2): the third is refused with RATE_LIMITED, and allowed once one closes',
    report.counted('flood', 'sockets per user', async () => {
      const { token, id } = await guest(tight)
      const first = await tight.connect({ token })
      await tight.connect({ token })
      const error = await refusal(tight, token)
      expect(error.message).toBe('RATE_LIMITED')
      expect(error.data?.code).toBe('RATE_LIMITED')
      first.disconnect()
      await waitUntil(() => userSockets(tight, id) === 1, 'the server to see the socket close')
      const third = await tight.connect({ token })
      expect(third.connected).toBe(true)
      expect(userSockets(tight, id)).toBe(2)
    }),
  )

  it(
    'sockets per user hold when many connect at the same moment',
    report.counted('flood', 'sockets per user, all at once', async () => {
      const { token, id } = await guest(tight)
      const attempts = await Promise.allSettled(Array.from({ length: 5 }, () => tight.connect({ token })))
      const accepted = attempts.filter((a) => a.status === 'fulfilled')
      expect(accepted.length).toBe(2)
      for (const a of attempts) if (a.status === 'rejected') expect(a.reason.message).toBe('RATE_LIMITED')
      await quiet()
      expect(userSockets(tight, id)).toBe(2)
    }),
  )

  it(
    `per-socket event rate (${EVENTS_PER_SEC}/s): RATE_LIMITED with retryAfterMs, other sockets unaffected, sustained abuse disconnects`,
    report.counted('flood', 'events per socket, sustained abuse disconnects', async () => {
      const { token } = await guest(tight)
      const socket = await tight.connect({ token })
      const acks = await Promise.all(Array.from({ length: 10 }, () => emitAck(socket, 'user:online', {})))
      expect(acks.slice(0, EVENTS_PER_SEC).every((a) => a.ok)).toBe(true)
      const refused = acks.filter((a) => !a.ok)
      expect(refused.length).toBeGreaterThan(0)
      for (const a of refused) {
        if (a.ok) continue
        expect(a.error).toEqual({
          code: 'RATE_LIMITED',
          message: expect.any(String),
          retryAfterMs: expect.any(Number),
        })
        expect(a.error.retryAfterMs).toBeGreaterThan(0)
      }
      const other = await tight.connect({ token })
      expect(await emitAck(other, 'user:online', {})).toEqual({ ok: true, data: null })

      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve))
      for (let i = 0; i < EVENTS_PER_SEC * 10; i++) socket.emit('user:online', {})
      expect(await disconnected).toBe('io server disconnect')
      expect(other.connected).toBe(true)
    }),
  )

  it(
    `a packet over LIMIT_PACKET_BYTES (${PACKET_BYTES}) closes the socket and writes nothing; a REST body over it is 413`,
    report.counted('flood', 'packet and REST body over LIMIT_PACKET_BYTES', async () => {
      const { token, lobbyId } = await guest(tight)
      const socket = await tight.connect({ token })
      const before = await tight.counts()
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve))
      const content = 'x'.repeat(PACKET_BYTES + 100)
      let acked = false
      socket.emit('message:send', { conversationId: lobbyId, content, clientMessageId: randomUUID() }, () => {
        acked = true
      })
      expect(await closed).toMatch(/transport (close|error)/)
      expect(acked).toBe(false)
      const res = await tight.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
        token,
        body: { content, clientMessageId: randomUUID() },
      })
      expect(res.status).toBe(413)
      expect(res.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } })
      expect(await tight.counts()).toEqual(before)
      // The client may come back at once.
      const again = await tight.connect({ token })
      const ok = await emitAck(again, 'message:send', {
        conversationId: lobbyId,
        content: 'short',
        clientMessageId: randomUUID(),
      })
      expect(ok.ok).toBe(true)
    }),
  )
})

describe('untrusted payloads', () => {
  it(
    'unknown and server-owned fields are ignored: the stored rows carry the server’s values',
    report.counted('forged input', 'server-owned fields', async () => {
      const ana = await guest(roomy, 'Ana')
      const ben = await roomy.join(ana.eventId, 'Ben')
      const socket = await roomy.connect({ token: ana.token })
      const watcher = await roomy.connect({ token: ben.token })
      await emitAck(watcher, 'conversation:join', { conversationId: ana.lobbyId })
      const seen = collect(watcher)
      const forged = {
        id: randomUUID(),
        senderId: ben.user.id,
        userId: ben.user.id,
        eventId: randomUUID(),
        seq: 999,
        rev: 999,
        timestamp: '2001-01-01T00:00:00.000Z',
        createdAt: '2001-01-01T00:00:00.000Z',
        deletedAt: '2001-01-01T00:00:00.000Z',
        reactions: [{ emoji: '👍', userIds: [ben.user.id] }],
        extra: { nested: true },
      }
      const clientMessageId = randomUUID()
      const sent = await emitAck(socket, 'message:send', {
        ...forged,
        conversationId: ana.lobbyId,
        content: 'mine',
        clientMessageId,
      })
      if (!sent.ok) throw new Error(JSON.stringify(sent.error))
      expect(sent.data).toMatchObject({ senderId: ana.id, seq: 1, rev: 1, deletedAt: null, reactions: [] })
      expect(sent.data.id).not.toBe(forged.id)
      expect(Date.now() - Date.parse(sent.data.timestamp)).toBeLessThan(60_000)
      const messageId = sent.data.id
      expect(await seen.waitFor('message:new')).toEqual(sent.data)

      const edited = await emitAck(socket, 'message:edited', { ...forged, messageId, newContent: 'edited' })
      const reacted = await emitAck(socket, 'message:reaction', { ...forged, messageId, emoji: '🎉' })
      const read = await emitAck(socket, 'conversation:read', {
        ...forged,
        conversationId: ana.lobbyId,
        seq: 1,
      })
      await emitAck(socket, 'message:typing', { ...forged, conversationId: ana.lobbyId })
      expect([edited.ok, reacted.ok, read.ok]).toEqual([true, true, true])
      expect((await seen.waitFor('message:typing')).userId).toBe(ana.id)
      expect((await seen.waitFor('message:reaction')).userId).toBe(ana.id)

      const [row] = await roomy.app.db.sql.query<Record<string, unknown>>(
        'SELECT id, seq, rev, "senderId", "createdAt", "deletedAt", content FROM "Message" WHERE "clientMessageId" = $1',
        [clientMessageId],
      )
      expect(row).toMatchObject({
        id: messageId,
        seq: 1,
        rev: 3,
        senderId: ana.id,
        deletedAt: null,
        content: 'edited',
      })
      expect(new Date(row!.createdAt as string).getUTCFullYear()).toBeGreaterThan(2001)
      const reactions = await roomy.app.db.sql.query(
        'SELECT "userId", emoji FROM "Reaction" WHERE "messageId" = $1',
        [messageId],
      )
      expect(reactions).toEqual([{ userId: ana.id, emoji: '🎉' }])
      const marks = await roomy.app.db.sql.query<{ userId: string; lastReadSeq: number }>(
        'SELECT "userId", "lastReadSeq" FROM "Member" WHERE "conversationId" = $1 AND "lastReadSeq" > 0',
        [ana.lobbyId],
      )
      expect(marks).toEqual([{ userId: ana.id, lastReadSeq: 1 }])
    }),
  )

  it('every client event with a callback is acked exactly once, whatever the payload', async () => {
    const { token } = await guest(roomy)
    const socket = await roomy.connect({ token })
    const raw = socket as unknown as {
      emit(event: string, ...args: unknown[]): void
      timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<any> }
    }
    const garbage: [string, unknown[]][] = [
      ['null', [null]],
      ['a string', ['hello']],
      ['an array', [[1, 2]]],
      ['a number', [42]],
      ['no payload', []],
      ['two payloads', [{}, {}]],
    ]
    const events = Object.keys(ClientEventSchemas)
    expect(events.length).toBe(23)
    for (const event of events) {
      for (const [label, args] of garbage) {
        let acks = 0
        const ack = await new Promise<any>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ack for ${event} with ${label}`)), 5000)
          raw.emit(event, ...args, (response: unknown) => {
            acks++
            clearTimeout(timer)
            resolve(response)
          })
        })
        await report.check('garbage payload', event, async () => {
          // `user:online` and `presence:activity` take `{}`: no payload (or null, read as none) is a valid request.
          const accepted =
            ['user:online', 'presence:activity'].includes(event) &&
            ['null', 'no payload', 'two payloads'].includes(label)
          if (accepted) expect(ack, `${event} with ${label}`).toEqual({ ok: true, data: null })
          else expect(ack.error?.code, `${event} with ${label}`).toBe('VALIDATION')
          expect(acks).toBe(1)
        })
      }
    }
    await quiet(100)
    expect(socket.connected).toBe(true)
  })

  it(
    'events without a callback, unknown events and junk arguments crash nothing',
    report.counted('forged input', 'no callback, unknown events, junk arguments', async () => {
      const { token, lobbyId } = await guest(roomy)
      const socket = await roomy.connect({ token })
      const before = await roomy.counts()
      const raw = socket as unknown as { emit(e: string, ...args: unknown[]): void }
      for (const event of [...Object.keys(ClientEventSchemas), 'no:such-event']) {
        for (const payload of [undefined, null, 'x', 7, [], {}, { conversationId: lobbyId }]) {
          raw.emit(event, payload)
          raw.emit(event, payload, 'junk', 3)
        }
        raw.emit(event)
      }
      // A valid send without a callback is still stored and broadcast (the client just learns nothing).
      raw.emit('message:send', {
        conversationId: lobbyId,
        content: 'fire and forget',
        clientMessageId: randomUUID(),
      })
      expect(await emitAck(socket, 'user:online', {})).toEqual({ ok: true, data: null })
      let after = await roomy.counts()
      for (let i = 0; i < 50 && after.Message === before.Message; i++) {
        await quiet(50)
        after = await roomy.counts()
      }
      expect(after).toEqual({ ...before, Message: before.Message + 1 })
      expect(socket.connected).toBe(true)
      expect((await roomy.api('GET', '/healthz')).status).toBe(200)
    }),
  )

  it(
    'a client cannot broadcast server events by emitting them',
    report.counted('forged input', 'server events emitted by a client', async () => {
      const ana = await guest(roomy, 'Ana')
      const ben = await roomy.join(ana.eventId, 'Ben')
      const [a0, b0] = [
        await roomy.connect({ token: ana.token }),
        collect(await roomy.connect({ token: ben.token })),
      ]
      const groupId = ana.lobbyId
      const fake = { id: randomUUID(), conversationId: groupId, content: 'forged', senderId: ben.user.id }
      for (const event of [
        'message:new',
        'conversation:created',
        'user:status',
        'conversation:user-joined',
      ]) {
        ;(a0 as unknown as { emit(e: string, p: unknown): void }).emit(event, fake)
        // Asked for an answer, an event the server does not take is refused, not left hanging.
        expect(await emitAck(a0, event, fake)).toEqual({
          ok: false,
          error: { code: 'VALIDATION', message: 'Unknown event' },
        })
      }
      await emitAck(a0, 'message:send', {
        conversationId: groupId,
        content: 'real',
        clientMessageId: randomUUID(),
      })
      await b0.waitFor('conversation:message-received')
      await quiet()
      expect(b0.received).toEqual([{ event: 'conversation:message-received', payload: expect.anything() }])
    }),
  )
})
