import { normalizeName } from '@secura/shared'
import fc from 'fast-check'
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSocket, type TestServer, useServer } from '../helpers.ts'
import { hostileAuth, joinName, unicodeText } from './arbitraries.ts'
import { expectAnswered, fuzzer, RUNS, SEED, TARGET_TIMEOUT_MS, UNLIMITED } from './fuzzing.ts'
import { SecurityReport } from './report.ts'

/**
 * Fuzzing that reaches the database: joins with a valid invitation (so names are stored), messages into
 * the guest's own lobby over both transports, and the socket handshake. Whatever is accepted must be stored
 * exactly as answered; whatever is refused must leave nothing behind.
 */
const JOINS_STORED_MIN = 0.3
const report = new SecurityReport(
  'fuzz-storage',
  'fast-check fuzzing that reaches the database, and the handshake',
  {
    'inputs per target': RUNS,
    seed: SEED,
  },
)
const fuzz = fuzzer(report)
const server = useServer(UNLIMITED)
let socket: ClientSocket
let token: string
let lobbyId: string
let inviteCode: string
let countsBefore: Awaited<ReturnType<TestServer['counts']>>
const stored = { messages: 0, joins: 0 }

beforeAll(async () => {
  const event = await server.createEvent('Storage')
  lobbyId = event.lobbyId
  token = (await server.join(event.eventId, 'Fuzzy')).token
  // Names that look like hers are refused: that path is fuzzed too.
  await server.join(event.eventId, 'Olga', 'organizer')
  socket = await server.connect({ token })
  inviteCode = (await server.invite(event.eventId, { maxUses: 100_000 })).code
  countsBefore = await server.counts()
})
afterAll(async () => {
  report.finish()
})

/** Message text: mostly what a person might write, in any script, with hostile characters often mixed in. */
const content = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }) },
  { weight: 2, arbitrary: unicodeText(200) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 3995, maxLength: 4005 }) },
)

describe('fuzzing that reaches the database', () => {
  it(
    'POST /api/auth/join with a valid invitation: stored as answered (NFC), or VALIDATION',
    async () => {
      const tally = await fuzz(
        'storage',
        'POST /api/auth/join (valid invitation)',
        joinName,
        async (displayName, t) => {
          const res = await server.api('POST', '/api/auth/join', { body: { code: inviteCode, displayName } })
          expectAnswered(res, t)
          if (res.status === 200) {
            t.stored++
            stored.joins++
            expect(res.body.user.displayName).toBe(normalizeName(displayName))
          } else expect(res.body.error.code).toBe('VALIDATION')
        },
        { stores: true },
      )
      expect(tally.stored / RUNS).toBeGreaterThanOrEqual(JOINS_STORED_MIN)
    },
    TARGET_TIMEOUT_MS,
  )

  it(
    'message:send into the own lobby over the socket: stored as answered, or VALIDATION',
    async () => {
      await fuzz(
        'storage',
        'socket message:send (own lobby)',
        content,
        async (text, t) => {
          const ack = await (socket.timeout(5000) as any).emitWithAck('message:send', {
            conversationId: lobbyId,
            clientMessageId: crypto.randomUUID(),
            content: text,
          })
          if (!ack.ok && ack.error.code === 'INTERNAL') t.serverErrors++
          if (ack.ok) {
            t.stored++
            stored.messages++
            expect(ack.data.content).toBe(text.trim())
          } else expect(ack.error.code).toBe('VALIDATION')
        },
        { stores: true },
      )
    },
    TARGET_TIMEOUT_MS,
  )

  it(
    'POST messages into the own lobby over REST: stored as answered, or VALIDATION',
    async () => {
      await fuzz(
        'storage',
        'POST /api/chat/conversations/:lobby/messages (own lobby)',
        content,
        async (text, t) => {
          const res = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
            token,
            body: { clientMessageId: crypto.randomUUID(), content: text },
          })
          expectAnswered(res, t)
          if (res.status === 201) {
            t.stored++
            stored.messages++
            expect(res.body.content).toBe(text.trim())
          } else expect(res.body.error.code).toBe('VALIDATION')
        },
        { stores: true },
      )
    },
    TARGET_TIMEOUT_MS,
  )

  it(
    'the handshake auth: connected, or refused in the shared vocabulary, never INTERNAL',
    async () => {
      await fuzz('handshake', 'socket handshake auth', hostileAuth(token), async (auth, t) => {
        const client = io(`${server.url}/chat`, {
          auth: auth as Record<string, unknown>,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        })
        try {
          const outcome = await new Promise<string>((resolve) => {
            const timer = setTimeout(() => resolve('no answer within 5 s'), 5000)
            const done = (what: string) => {
              clearTimeout(timer)
              resolve(what)
            }
            client.once('connect', () => done('connected'))
            client.once('connect_error', (error: Error & { data?: { code?: string } }) =>
              done(error.data?.code ?? `no code: ${error.message}`),
            )
            // socket.io itself drops a connection whose CONNECT payload is not an object.
            client.once('disconnect', (reason) => done(`dropped: ${reason}`))
          })
          if (outcome === 'INTERNAL') t.serverErrors++
          const isObject = typeof auth === 'object' && auth !== null && !Array.isArray(auth)
          expect(
            isObject ? ['connected', 'UNAUTHORIZED'] : ['UNAUTHORIZED', 'dropped: transport close'],
          ).toContain(outcome)
        } finally {
          client.disconnect()
        }
      })
    },
    TARGET_TIMEOUT_MS,
  )

  it('left nothing half-written and stays healthy', async () => {
    await report.check('after the inputs', 'rows: exactly what was accepted', async () => {
      const { joins, messages } = stored
      expect(await server.counts()).toEqual({
        ...countsBefore,
        User: countsBefore.User + joins,
        Session: countsBefore.Session + joins,
        Member: countsBefore.Member + joins,
        Message: countsBefore.Message + messages,
        Invitation: countsBefore.Invitation,
      })
    })
    await report.check('after the inputs', 'every user whole: a session and the lobby', async () => {
      const [row] = await server.app.db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "User" u
         WHERE NOT EXISTS (SELECT 1 FROM "Session" s WHERE s."userId" = u.id)
            OR NOT EXISTS (SELECT 1 FROM "Member" m WHERE m."userId" = u.id)`,
      )
      expect(Number(row?.n)).toBe(0)
    })
    await report.check('after the inputs', 'socket still connected, /healthz 200', async () => {
      expect(socket.connected).toBe(true)
      expect((await server.api('GET', '/healthz')).status).toBe(200)
    })
  })
})
