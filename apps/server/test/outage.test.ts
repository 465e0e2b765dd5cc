import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientSocket,
  collect,
  emitAck,
  freshDatabase,
  quiet,
  startServer,
  type TestServer,
} from './helpers.ts'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'

// PGlite runs in-process and cannot go away: an outage needs a Postgres server to lose.
describe.skipIf(!process.env.DATABASE_URL)('database outage (needs Postgres: set DATABASE_URL)', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let proxy: TcpProxy
  let server: TestServer

  beforeAll(async () => {
    database = await freshDatabase()
    const url = new URL(database.databaseUrl!)
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) })
    url.hostname = proxy.host
    url.port = String(proxy.port)
    server = await startServer({ PRESENCE_GRACE_MS: '100' }, { databaseUrl: url.toString() })
  })
  afterAll(async () => {
    await server?.close()
    await proxy?.close()
    await database?.drop()
  })

  const unavailable = { code: 'UNAVAILABLE', message: expect.any(String), retryAfterMs: expect.any(Number) }

  it('refuses commands with UNAVAILABLE while Postgres is unreachable, stays up, and writes nothing; recovers after', async () => {
    const { eventId } = await server.createEvent('Outage')
    const ana = await server.join(eventId, 'Ana')
    const ben = await server.join(eventId, 'Ben')
    const direct = await server.api('POST', '/api/chat/conversations', {
      token: ana.token,
      body: { kind: 'direct', userId: ben.user.id },
    })
    const conversationId: string = direct.body.id
    const anaSocket = await server.connect({ token: ana.token })
    const benSocket = await server.connect({ token: ben.token })
    const benTab = await server.connect({ token: ben.token })
    for (const s of [anaSocket, benSocket]) await emitAck(s, 'conversation:join', { conversationId })
    const benSeen = collect(benSocket)
    const before = await server.counts()

    proxy.cut()
    const restCid = randomUUID()
    const socketCid = randomUUID()
    const path = `/api/chat/conversations/${conversationId}/messages`
    const rest = [
      await server.api('POST', path, {
        token: ana.token,
        body: { clientMessageId: restCid, content: 'via http' },
      }),
      await server.api('GET', '/api/chat/conversations', { token: ana.token }),
      await server.api('POST', '/api/chat/conversations', {
        token: ana.token,
        body: { kind: 'group', title: 'Nope', userIds: [ben.user.id] },
      }),
      await server.api('POST', `/api/chat/conversations/${conversationId}/mark-as-read`, {
        token: ben.token,
        body: { seq: 1 },
      }),
    ]
    for (const res of rest) {
      expect(res.status).toBe(503)
      expect(res.body).toEqual({ error: unavailable })
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    }

    const commands: [ClientSocket, string, object][] = [
      [anaSocket, 'message:send', { conversationId, content: 'via socket', clientMessageId: socketCid }],
      [anaSocket, 'conversation:join', { conversationId }],
      [anaSocket, 'message:typing', { conversationId }],
      [benSocket, 'conversation:read', { conversationId, seq: 1 }],
      [benSocket, 'presence:subscribe', { userIds: [ana.user.id] }],
    ]
    for (const [socket, event, payload] of commands) {
      expect(await emitAck(socket, event, payload), event).toEqual({ ok: false, error: unavailable })
    }
    // More at once than the pool has connections: every one answered, none left hanging.
    const burst = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        emitAck(anaSocket, 'message:send', {
          conversationId,
          content: `burst ${i}`,
          clientMessageId: randomUUID(),
        }),
      ),
    )
    expect(burst.every((ack) => !ack.ok && ack.error.code === 'UNAVAILABLE')).toBe(true)

    // New sockets cannot authenticate; a socket closing (presence writes lastSeenAt) fails quietly.
    const refused = await server.connect({ token: ben.token }).then(
      () => null,
      (error: Error) => error.message,
    )
    expect(refused).toBe('UNAVAILABLE')
    benTab.disconnect()
    expect((await server.api('GET', '/readyz')).status).toBe(503)
    expect((await server.api('GET', '/healthz')).status).toBe(200)
    await quiet()
    expect(anaSocket.connected && benSocket.connected).toBe(true)

    proxy.restore()
    expect((await server.api('GET', '/readyz')).status).toBe(200)
    expect(await server.counts()).toEqual(before)
    expect(benSeen.names()).toEqual([])

    // The same commands now succeed, as new messages: nothing refused had been kept.
    const retried = await server.api('POST', path, {
      token: ana.token,
      body: { clientMessageId: restCid, content: 'via http' },
    })
    expect(retried.status).toBe(201)
    expect(retried.body.seq).toBe(1)
    const sent = await emitAck(anaSocket, 'message:send', {
      conversationId,
      content: 'via socket',
      clientMessageId: socketCid,
    })
    expect(sent.ok && sent.data.seq).toBe(2)
    expect(await emitAck(benSocket, 'conversation:read', { conversationId, seq: 2 })).toEqual({
      ok: true,
      data: { conversationId, lastReadSeq: 2 },
    })
    await benSeen.waitFor('message:new', (m) => m.seq === 2)
    expect(benSeen.of('message:new').map((m) => m.content)).toEqual(['via http', 'via socket'])
    expect((await server.connect({ token: ben.token })).connected).toBe(true)
    expect(await server.counts()).toEqual({ ...before, Message: before.Message + 2 })
  })

  it('a write cut off mid-transaction is rolled back and acked UNAVAILABLE; a cut send is replayed exactly once', async () => {
    const { eventId } = await server.createEvent('Mid-write')
    const ana = await server.join(eventId, 'Ana')
    const ben = await server.join(eventId, 'Ben')
    const { id: conversationId } = (
      await server.api('POST', '/api/chat/conversations', {
        token: ana.token,
        body: { kind: 'direct', userId: ben.user.id },
      })
    ).body
    const socket = await server.connect({ token: ana.token })
    const sent = await emitAck(socket, 'message:send', {
      conversationId,
      content: 'keep me',
      clientMessageId: randomUUID(),
    })
    if (!sent.ok) throw new Error(JSON.stringify(sent.error))
    const messageId = sent.data.id
    await server.api('POST', `/api/chat/conversations/${conversationId}/messages/${messageId}/reaction`, {
      token: ben.token,
      body: { emoji: '👍' },
    })

    // Sessions of our own, straight to Postgres: one holds a row so the server's write waits on it (the
    // other watches for that wait: activity is read once per transaction), then the connection is cut.
    const [direct, watcher] = [
      new pg.Client({ connectionString: database.databaseUrl }),
      new pg.Client({ connectionString: database.databaseUrl }),
    ]
    await Promise.all([direct.connect(), watcher.connect()])
    const cutWhileWaiting = async (table: string, id: string, command: () => Promise<unknown>) => {
      await direct.query('BEGIN')
      await direct.query(`SELECT 1 FROM "${table}" WHERE id = $1 FOR UPDATE`, [id])
      const result = command()
      for (let waiting = 0, tries = 0; waiting === 0; await quiet(20)) {
        if (++tries > 250) throw new Error(`the server's write never waited on the ${table} row`)
        const { rows } = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
        waiting = rows[0].n
      }
      proxy.cut()
      await direct.query('ROLLBACK')
      proxy.restore()
      return result
    }
    const head = async () =>
      (await direct.query('SELECT "lastSeq", "lastRev" FROM "Conversation" WHERE id = $1', [conversationId]))
        .rows[0]
    try {
      const before = await head()
      const deleted = await cutWhileWaiting('Message', messageId, () =>
        emitAck(socket, 'message:deleted', { messageId }),
      )
      expect(deleted).toEqual({ ok: false, error: unavailable })
      await quiet(200) // the orphaned backend goes once the lock is released; its transaction never committed
      const [row] = (
        await direct.query('SELECT content, "deletedAt" FROM "Message" WHERE id = $1', [messageId])
      ).rows
      expect(row).toEqual({ content: 'keep me', deletedAt: null })
      const reactions = await direct.query('SELECT 1 FROM "Reaction" WHERE "messageId" = $1', [messageId])
      expect(reactions.rowCount).toBe(1)
      expect(await head()).toEqual(before)
      expect(socket.connected).toBe(true)

      // A send cut while waiting may or may not have committed: its replay gives one row, whichever it was.
      const clientMessageId = randomUUID()
      const payload = { conversationId, content: 'maybe', clientMessageId }
      const cutSend = await cutWhileWaiting('Conversation', conversationId, () =>
        emitAck(socket, 'message:send', payload),
      )
      expect(cutSend).toEqual({ ok: false, error: unavailable })
      await quiet(200)
      const replay = await emitAck(socket, 'message:send', payload)
      expect(replay.ok && replay.data.seq).toBe(2)
      const rows = await direct.query('SELECT seq FROM "Message" WHERE "clientMessageId" = $1', [
        clientMessageId,
      ])
      expect(rows.rows).toEqual([{ seq: 2 }])
      expect((await emitAck(socket, 'message:deleted', { messageId })).ok).toBe(true)
    } finally {
      await Promise.all([direct.end(), watcher.end()])
    }
  })
})
