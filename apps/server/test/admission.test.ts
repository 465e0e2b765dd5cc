// Admission control (modules/messages/admission.ts) on the real server: while the database is held up by a
// row lock, sends beyond the bounds are refused with UNAVAILABLE + retryAfterMs and write nothing; once the
// lock is gone, the same sends tried again are stored exactly once. A row lock needs a Postgres server.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  chatApi,
  collect,
  emitAck,
  onPostgres,
  quiet,
  type TestServer,
  useServer,
} from './helpers.ts'

const RAISED = {
  LIMIT_SEND_PER_SEC: '1000',
  LIMIT_SEND_BURST: '1000',
  LIMIT_EVENTS_PER_SEC: '1000',
  LIMIT_JOINS_PER_MIN: '100000',
}

async function scrape(server: TestServer) {
  const res = await server.api<string>('GET', '/metrics', { token: ADMIN_TOKEN })
  const lines = String(res.body).split('\n')
  return (name: string, labels: Record<string, string> = {}) =>
    lines
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
}

/** Another transaction holding the conversation's row: every send to it waits until `release()`. */
async function lockConversation(server: TestServer, conversationId: string) {
  const other = new pg.Client({ connectionString: server.app.config.databaseUrl })
  await other.connect()
  await other.query('BEGIN')
  await other.query('UPDATE "Conversation" SET title = title WHERE id = $1', [conversationId])
  return {
    async release() {
      await other.query('COMMIT')
      await other.end()
    },
  }
}

const storedIds = async (server: TestServer, conversationId: string) =>
  (
    await server.app.db.sql.query<{ clientMessageId: string; seq: number }>(
      'SELECT "clientMessageId", seq FROM "Message" WHERE "conversationId" = $1 ORDER BY seq',
      [conversationId],
    )
  ).map((r) => [r.seq, r.clientMessageId])

const unavailable = {
  ok: false,
  error: {
    code: 'UNAVAILABLE',
    message: expect.any(String),
    retryAfterMs: expect.any(Number),
    details: { reason: 'overloaded' },
  },
}

describe.skipIf(!onPostgres)('admission control (needs Postgres: set DATABASE_URL)', () => {
  describe('beyond the bound on sends in flight', () => {
    const server = useServer({ ...RAISED, LIMIT_SENDS_IN_FLIGHT: '3' })

    it('new sends are refused with UNAVAILABLE + retryAfterMs, store nothing, and are stored once when retried', async () => {
      const { eventId, lobbyId } = await server.createEvent('Full')
      const ana = await server.join(eventId, 'Ana')
      const ben = await server.join(eventId, 'Ben')
      const anaSocket = await server.connect({ token: ana.token })
      const benSocket = await server.connect({ token: ben.token })
      await emitAck(benSocket, 'conversation:join', { conversationId: lobbyId })
      const seen = collect(benSocket)
      const before = await scrape(server)

      const lock = await lockConversation(server, lobbyId)
      let acks: Promise<unknown>[] = []
      try {
        // Three sends fill the bound: one waits on the lock, two behind it.
        acks = ['a1', 'a2', 'a3'].map((id) =>
          emitAck(anaSocket, 'message:send', { conversationId: lobbyId, clientMessageId: id, content: id }),
        )
        await quiet(300)
        const b1 = { conversationId: lobbyId, clientMessageId: 'b1', content: 'b1' }
        const refused = await emitAck(benSocket, 'message:send', b1)
        expect(refused).toEqual(unavailable)
        if (!refused.ok) expect(refused.error.retryAfterMs).toBeGreaterThanOrEqual(100)

        const overHttp = await chatApi(server, ana.token).send(lobbyId, 'a4', { clientMessageId: 'a4' })
        expect(overHttp.status).toBe(503)
        expect(overHttp.body).toEqual({ error: unavailable.error })
        expect(Number(overHttp.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)

        // Refused at once, before the database: nothing of them exists (the three waiting are not committed).
        const rows = await server.app.db.sql.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM "Message" WHERE "clientMessageId" IN ('b1', 'a4')`,
        )
        expect(rows).toEqual([{ count: 0 }])
      } finally {
        await lock.release()
      }
      const answers = (await Promise.all(acks)) as { ok: boolean; data: { seq: number } }[]
      expect(answers.map((a) => a.ok && a.data.seq)).toEqual([1, 2, 3])

      // The retries (b1 twice at once, over both transports), as an outbox would make them.
      const retried = await Promise.all([
        emitAck(benSocket, 'message:send', { conversationId: lobbyId, clientMessageId: 'b1', content: 'b1' }),
        chatApi(server, ben.token).send(lobbyId, 'b1', { clientMessageId: 'b1' }),
        chatApi(server, ana.token).send(lobbyId, 'a4', { clientMessageId: 'a4' }),
      ])
      expect(retried[0].ok).toBe(true)
      expect(retried[1].status).toBeLessThan(300)
      expect(retried[2].status).toBe(201)
      expect(await storedIds(server, lobbyId)).toEqual([
        [1, 'a1'],
        [2, 'a2'],
        [3, 'a3'],
        [4, expect.stringMatching(/^(b1|a4)$/)],
        [5, expect.stringMatching(/^(b1|a4)$/)],
      ])
      expect(new Set((await storedIds(server, lobbyId)).map(([, id]) => id)).size).toBe(5)
      await seen.waitFor('message:new', (m: { clientMessageId: string }) => m.clientMessageId === 'a4')
      await quiet(100)
      const broadcast = seen.of<{ clientMessageId: string }>('message:new').map((m) => m.clientMessageId)
      expect(broadcast.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1'])

      const after = await scrape(server)
      expect(after('secura_sends_refused_total', { reason: 'in_flight' })).toBe(
        before('secura_sends_refused_total', { reason: 'in_flight' }) + 2,
      )
      // Refusing on purpose is not a database failure.
      expect(after('secura_database_errors_total')).toBe(before('secura_database_errors_total'))
    })
  })

  describe('a queue that stands', () => {
    const server = useServer({ ...RAISED, LIMIT_SEND_QUEUE_MS: '50' })

    it('once no send has got through the queue in time for LIMIT_SEND_QUEUE_MS, new sends are refused until it drains', async () => {
      const { eventId, lobbyId } = await server.createEvent('Slow')
      const ana = await server.join(eventId, 'Ana')
      const socket = await server.connect({ token: ana.token })
      const before = await scrape(server)
      const send = (id: string) =>
        emitAck(socket, 'message:send', { conversationId: lobbyId, clientMessageId: id, content: id })

      const lock = await lockConversation(server, lobbyId)
      let waiting: Promise<unknown>[] = []
      try {
        // A queue (32 sends, where the rule starts) through which nothing has gone for longer than 50 ms.
        waiting = Array.from({ length: 32 }, (_, i) => send(`q${i}`))
        await quiet(300)
        expect(await send('late')).toEqual(unavailable)
      } finally {
        await lock.release()
      }
      expect((await Promise.all(waiting)).every((a) => (a as { ok: boolean }).ok)).toBe(true)
      // Drained: the same send is admitted now, and stored once.
      expect(await send('late')).toMatchObject({ ok: true, data: { seq: 33, clientMessageId: 'late' } })
      expect((await storedIds(server, lobbyId)).filter(([, id]) => id === 'late')).toEqual([[33, 'late']])

      const after = await scrape(server)
      expect(after('secura_sends_refused_total', { reason: 'standing_queue' })).toBe(
        before('secura_sends_refused_total', { reason: 'standing_queue' }) + 1,
      )
    })
  })
})
