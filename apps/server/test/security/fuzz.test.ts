import { ClientEventSchemas } from '@secura/shared'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, startServer, type TestServer } from '../helpers.ts'
import { SecurityReport } from './report.ts'

// FUZZ_RUNS inputs for each socket event and each REST route: `pnpm test:fuzz` sets 10,000; the regular
// suite runs a sample of 40 each. Each target has its own seed, derived from FUZZ_SEED and its name, so a
// failure is reproduced by running the file again with the same FUZZ_SEED and FUZZ_RUNS.
const RUNS = Number(process.env.FUZZ_RUNS ?? 40)
const SEED = Number(process.env.FUZZ_SEED ?? 20261127)
/** A full run takes minutes per target. */
const TARGET_TIMEOUT_MS = Math.max(30_000, RUNS * 100)
/** Socket events that write: with every conversation id aimed at a foreign conversation, always refused. */
const WRITES = ['message:send', 'message:edited', 'message:deleted', 'message:reaction', 'conversation:read']
const RANDOM_ID = '0190a0a0-0000-7000-8000-000000000000'

const report = new SecurityReport('fuzz', 'fast-check fuzzing of every socket event and REST body', {
  'inputs per target': RUNS,
  seed: SEED,
})
let server: TestServer
let socket: ClientSocket
let token: string
let foreignConversationId: string
let lobbyId: string
let countsBefore: Awaited<ReturnType<TestServer['counts']>>

beforeAll(async () => {
  server = await startServer({
    LIMIT_EVENTS_PER_SEC: '1000000',
    LIMIT_SEND_PER_SEC: '1000000',
    LIMIT_SEND_BURST: '1000000',
  })
  const event = await server.createEvent()
  lobbyId = event.lobbyId
  const guest = await server.join(event.eventId, 'Fuzzy')
  token = guest.token
  socket = await server.connect({ token })
  // A conversation of another event: well-formed ids that must lead nowhere.
  foreignConversationId = (await server.createEvent('Elsewhere')).lobbyId
  countsBefore = await server.counts()
})
afterAll(async () => {
  report.finish()
  await server?.close()
})

function emitAck(event: string, payload: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} ${JSON.stringify(payload)}`)), 5000)
    ;(socket as any).emit(event, payload, (response: unknown) => {
      clearTimeout(timer)
      resolve(response)
    })
  })
}

/** FNV-1a: a stable seed per target, whatever the order or number of targets. */
function seedFor(target: string): number {
  let hash = 0x811c9dc5
  for (const ch of target) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193)
  return (SEED ^ hash) | 0
}

/** RUNS inputs against one target; counted in the report, and a failure names the target and its seed. */
async function fuzz<T>(
  group: string,
  target: string,
  inputs: fc.Arbitrary<T>,
  check: (input: T) => Promise<void>,
): Promise<void> {
  const details = await fc.check(fc.asyncProperty(inputs, check), { numRuns: RUNS, seed: seedFor(target) })
  const error = details.failed
    ? new Error(
        `${group} ${target} failed on ${fc.stringify(details.counterexample?.[0])} (FUZZ_SEED=${SEED}, ` +
          `seed ${details.seed}, path ${details.counterexamplePath})\n${fc.defaultReportMessage(details)}`,
      )
    : undefined
  report.record(group, target, details.numRuns, error)
  if (error) throw error
  expect(details.numRuns).toBe(RUNS)
}

/** Anything at all, and payloads shaped like ours with hostile values in each field. */
const hostilePayload = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: false }),
  fc.record(
    {
      conversationId: fc.oneof(fc.uuid(), fc.string(), fc.constant(undefined), fc.integer()),
      messageId: fc.oneof(fc.uuid(), fc.string({ maxLength: 80 }), fc.constant(null)),
      clientMessageId: fc.oneof(fc.string({ maxLength: 100 }), fc.integer()),
      content: fc.oneof(fc.string({ maxLength: 5000 }), fc.constant('   '), fc.integer(), fc.constant(null)),
      newContent: fc.oneof(fc.string(), fc.array(fc.string())),
      emoji: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('👍👍', '<script>', '')),
      action: fc.oneof(fc.constantFrom('add', 'remove', 'toggle'), fc.integer()),
      seq: fc.oneof(fc.integer(), fc.double(), fc.string()),
      userIds: fc.oneof(fc.array(fc.uuid(), { maxLength: 300 }), fc.string()),
      isTyping: fc.oneof(fc.boolean(), fc.string()),
    },
    { requiredKeys: [] },
  ),
)

describe('fuzzing every client event and REST body', () => {
  it.each(Object.keys(ClientEventSchemas))(
    'socket %s: always acked, never INTERNAL, writes refused',
    async (event) => {
      await fuzz('socket event', event, hostilePayload, async (payload) => {
        // Point any well-formed conversation id at a conversation this user cannot see.
        const aimed =
          payload &&
          typeof payload === 'object' &&
          'conversationId' in payload &&
          typeof payload.conversationId === 'string'
            ? { ...payload, conversationId: foreignConversationId }
            : payload
        const response = await emitAck(event, aimed)
        expect(typeof response?.ok).toBe('boolean')
        if (!response.ok) expect(['INTERNAL', 'UNAVAILABLE']).not.toContain(response.error.code)
        if (WRITES.includes(event)) expect(response.ok).toBe(false)
      })
    },
    TARGET_TIMEOUT_MS,
  )

  // Paths and tokens are read when the test runs: they come from beforeAll.
  const routes: { route: string; path: () => string; bearer?: () => string }[] = [
    { route: 'POST /api/chat/conversations', path: () => '/api/chat/conversations', bearer: () => token },
    {
      route: 'POST /api/chat/conversations/:foreign/messages',
      path: () => `/api/chat/conversations/${foreignConversationId}/messages`,
      bearer: () => token,
    },
    {
      route: 'POST /api/chat/conversations/:lobby/mark-as-read',
      path: () => `/api/chat/conversations/${lobbyId}/mark-as-read`,
      bearer: () => token,
    },
    {
      route: 'PUT /api/chat/conversations/:lobby/messages/:random',
      path: () => `/api/chat/conversations/${lobbyId}/messages/${RANDOM_ID}`,
      bearer: () => token,
    },
    {
      route: 'POST /api/chat/conversations/:lobby/messages/:random/reaction',
      path: () => `/api/chat/conversations/${lobbyId}/messages/${RANDOM_ID}/reaction`,
      bearer: () => token,
    },
    {
      route: 'POST /api/chat/conversations/:lobby/members',
      path: () => `/api/chat/conversations/${lobbyId}/members`,
      bearer: () => token,
    },
    {
      route: 'DELETE /api/chat/conversations/:lobby/members',
      path: () => `/api/chat/conversations/${lobbyId}/members`,
      bearer: () => token,
    },
    { route: 'POST /api/chat/sync', path: () => '/api/chat/sync', bearer: () => token },
    { route: 'POST /api/auth/join', path: () => '/api/auth/join' },
    { route: 'POST /api/auth/invitation', path: () => '/api/auth/invitation' },
    {
      route: 'POST /api/admin/events (wrong token)',
      path: () => '/api/admin/events',
      bearer: () => 'not-the-admin-token',
    },
    {
      route: 'POST /api/events/:random/invitations (admin)',
      path: () => `/api/events/${RANDOM_ID}/invitations`,
      bearer: () => ADMIN_TOKEN,
    },
  ]

  it.each(routes.map((r) => [r.route, r] as const))(
    'REST %s body: a 4xx in the shared shape, never a 500',
    async (route, { path, bearer }) => {
      const method = route.split(' ')[0]!
      await fuzz('REST', route, hostilePayload, async (body) => {
        const res = await server.api(method, path(), {
          ...(bearer && { token: bearer() }),
          rawBody: JSON.stringify(body ?? null),
          headers: { 'content-type': 'application/json' },
        })
        expect(res.status).toBeGreaterThanOrEqual(200)
        expect(res.status).toBeLessThan(500)
        if (res.status >= 400) expect(typeof res.body?.error?.code).toBe('string')
      })
    },
    TARGET_TIMEOUT_MS,
  )

  it(
    'REST history query: 200 or 400',
    async () => {
      await fuzz(
        'REST',
        'GET /api/chat/conversations/:lobby/messages?…',
        fc.string({ maxLength: 200 }),
        async (q) => {
          const res = await server.api('GET', `/api/chat/conversations/${lobbyId}/messages?${encodeURI(q)}`, {
            token,
          })
          expect(res.status === 200 || res.status === 400).toBe(true)
        },
      )
    },
    TARGET_TIMEOUT_MS,
  )

  it(
    'REST directory query: 200 or 400',
    async () => {
      await fuzz('REST', 'GET /api/chat/users?q=…', fc.string({ maxLength: 200 }), async (q) => {
        const res = await server.api('GET', `/api/chat/users?q=${encodeURIComponent(q)}`, { token })
        expect(res.status === 200 || res.status === 400).toBe(true)
      })
    },
    TARGET_TIMEOUT_MS,
  )

  it('wrote nothing, kept the socket and stays healthy', async () => {
    await report.check('after the inputs', 'socket still connected', async () => {
      expect(socket.connected).toBe(true)
    })
    await report.check('after the inputs', 'row counts unchanged', async () => {
      expect(await server.counts()).toEqual(countsBefore)
    })
    await report.check('after the inputs', '/healthz 200', async () => {
      expect((await server.api('GET', '/healthz')).status).toBe(200)
    })
  })
})
