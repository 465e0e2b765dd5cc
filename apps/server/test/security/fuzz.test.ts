import { ClientEventSchemas } from '@secura/shared'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, type TestServer, useServer } from '../helpers.ts'
import { encodeQuery, FOREIGN, hostileJson, LOBBY, unicodeText } from './arbitraries.ts'
import { expectAnswered, fuzzer, RUNS, SEED, TARGET_TIMEOUT_MS, UNLIMITED } from './fuzzing.ts'
import { emitRaw } from './raw-socket.ts'
import { SecurityReport } from './report.ts'

/** Socket events that write: with every conversation id aimed at a foreign conversation, always refused. */
const WRITES = [
  'message:send',
  'message:edited',
  'message:deleted',
  'message:reaction',
  'conversation:read',
  'conversation:rename',
  // A guest pins nothing, changes no settings, and there is no announcement to dismiss.
  'message:pin',
  'message:unpin',
  'announcement:dismiss',
  'event:settings',
]
const RANDOM_ID = '0190a0a0-0000-7000-8000-000000000000'
/** A socket packet over the size limit closes the connection (engine.io), which is not what is tested here. */
const SOCKET_PACKET_MAX = 60_000

const report = new SecurityReport('fuzz', 'fast-check fuzzing of every socket event, REST body and query', {
  'inputs per target': RUNS,
  seed: SEED,
})
const server = useServer(UNLIMITED)
let socket: ClientSocket
let token: string
let foreignConversationId: string
let lobbyId: string
let eventId: string
let countsBefore: Awaited<ReturnType<TestServer['counts']>>
/** Conversations the fuzzed bodies created (a well-formed group is a legitimate write). */
const created: string[] = []

beforeAll(async () => {
  const event = await server.createEvent()
  ;({ eventId, lobbyId } = event)
  const guest = await server.join(eventId, 'Fuzzy')
  token = guest.token
  socket = await server.connect({ token })
  // A conversation of another event: well-formed ids that must lead nowhere.
  foreignConversationId = (await server.createEvent('Elsewhere')).lobbyId
  countsBefore = await server.counts()
})
afterAll(async () => {
  report.finish()
})

const fuzz = fuzzer(report)

const aimed = (json: string) => json.replaceAll(FOREIGN, foreignConversationId).replaceAll(LOBBY, lobbyId)

describe('fuzzing every client event, REST body and the handshake', () => {
  it.each(Object.keys(ClientEventSchemas))(
    'socket %s: always acked, never INTERNAL, writes refused',
    async (event) => {
      const packets = hostileJson.filter((json) => json.length < SOCKET_PACKET_MAX)
      await fuzz('socket event', event, packets, async (json, tally) => {
        const response = await emitRaw(socket, event, aimed(json))
        expect(typeof response?.ok).toBe('boolean')
        if (!response.ok && ['INTERNAL', 'UNAVAILABLE'].includes(response.error.code)) tally.serverErrors++
        if (!response.ok) expect(['INTERNAL', 'UNAVAILABLE']).not.toContain(response.error.code)
        if (WRITES.includes(event)) expect(response.ok).toBe(false)
      })
    },
    TARGET_TIMEOUT_MS,
  )

  // Paths and tokens are read when the test runs: they come from beforeAll.
  // Creating a group is the one write these bodies can make on purpose: counted as stored, checked after.
  const routes: { route: string; path: () => string; bearer?: () => string; stores?: boolean }[] = [
    {
      route: 'POST /api/chat/conversations',
      path: () => '/api/chat/conversations',
      bearer: () => token,
      stores: true,
    },
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
    {
      route: 'PUT /api/chat/conversations/:lobby/title',
      path: () => `/api/chat/conversations/${lobbyId}/title`,
      bearer: () => token,
    },
    {
      route: 'PUT /api/chat/conversations/:foreign/title',
      path: () => `/api/chat/conversations/${foreignConversationId}/title`,
      bearer: () => token,
    },
    { route: 'POST /api/chat/sync', path: () => '/api/chat/sync', bearer: () => token },
    { route: 'POST /api/push/subscriptions', path: () => '/api/push/subscriptions', bearer: () => token },
    { route: 'DELETE /api/push/subscriptions', path: () => '/api/push/subscriptions', bearer: () => token },
    {
      route: 'PUT /api/chat/notifications/quiet-hours',
      path: () => '/api/chat/notifications/quiet-hours',
      bearer: () => token,
    },
    {
      route: 'PUT /api/chat/conversations/:lobby/mute',
      path: () => `/api/chat/conversations/${lobbyId}/mute`,
      bearer: () => token,
    },
    { route: 'POST /api/chat/sync (no token)', path: () => '/api/chat/sync' },
    { route: 'POST /api/auth/join', path: () => '/api/auth/join' },
    { route: 'POST /api/auth/invitation', path: () => '/api/auth/invitation' },
    {
      route: 'POST /api/admin/events (wrong token)',
      path: () => '/api/admin/events',
      bearer: () => 'not-the-admin-token',
    },
    {
      route: 'POST /api/events/:random/end (admin)',
      path: () => `/api/events/${RANDOM_ID}/end`,
      bearer: () => ADMIN_TOKEN,
    },
    {
      route: 'PUT /api/events/:event/settings (guest)',
      path: () => `/api/events/${eventId}/settings`,
      bearer: () => token,
    },
    {
      route: 'PUT /api/events/:random/settings (admin)',
      path: () => `/api/events/${RANDOM_ID}/settings`,
      bearer: () => ADMIN_TOKEN,
    },
    {
      route: 'POST /api/events/:random/invitations (admin)',
      path: () => `/api/events/${RANDOM_ID}/invitations`,
      bearer: () => ADMIN_TOKEN,
    },
  ]

  it.each(routes.map((r) => [r.route, r] as const))(
    'REST %s body: a 4xx in the shared shape, never a 500',
    async (route, { path, bearer, stores = false }) => {
      const method = route.split(' ')[0]!
      await fuzz(
        'REST',
        route,
        hostileJson,
        async (json, tally) => {
          const res = await server.api(method, path(), {
            ...(bearer && { token: bearer() }),
            rawBody: aimed(json),
            headers: { 'content-type': 'application/json' },
          })
          expectAnswered(res, tally)
          if (res.status < 300 && stores) {
            tally.stored++
            created.push(res.body.id)
          }
        },
        { stores },
      )
    },
    TARGET_TIMEOUT_MS,
  )

  // Query strings as a client could send them; `&` and `=` are left as they are in the history query, so
  // its parameters are fuzzed too.
  const queries: [string, () => string, (q: string) => string, () => string][] = [
    [
      'GET /api/chat/conversations/:lobby/messages?…',
      () => `/api/chat/conversations/${lobbyId}/messages?`,
      (q) => encodeQuery(q).replace(/%26/g, '&').replace(/%3D/g, '='),
      () => token,
    ],
    // The values of the paging parameters, and what may follow them.
    ...['aroundSeq', 'afterSeq', 'aroundId'].map(
      (name): [string, () => string, (q: string) => string, () => string] => [
        `GET /api/chat/conversations/:lobby/messages?${name}=…`,
        () => `/api/chat/conversations/${lobbyId}/messages?${name}=`,
        (q) => encodeQuery(q).replace(/%26/g, '&').replace(/%3D/g, '='),
        () => token,
      ],
    ),
    ['GET /api/chat/users?q=…', () => '/api/chat/users?q=', encodeQuery, () => token],
    // Search words reach Postgres' tsquery parser: none of them may come back as a 500.
    ['GET /api/chat/search?q=…', () => '/api/chat/search?q=', encodeQuery, () => token],
    [
      'GET /api/chat/search?…',
      () => '/api/chat/search?',
      (q) => encodeQuery(q).replace(/%26/g, '&').replace(/%3D/g, '='),
      () => token,
    ],
    [
      'GET /api/events/:event/guests?q=…',
      () => `/api/events/${eventId}/guests?q=`,
      encodeQuery,
      () => ADMIN_TOKEN,
    ],
  ]
  it.each(queries)(
    'REST query %s: 200 or 400',
    async (target, prefix, encode, bearer) => {
      const inputs = fc.oneof(unicodeText(200), fc.string({ unit: 'binary-ascii', maxLength: 200 }))
      await fuzz('REST', target, inputs, async (q, tally) => {
        const res = await server.api('GET', prefix() + encode(q), { token: bearer() })
        expectAnswered(res, tally)
        expect([200, 400]).toContain(res.status)
      })
    },
    TARGET_TIMEOUT_MS,
  )

  it('wrote only what it was answered, kept the socket and stays healthy', async () => {
    await report.check('after the inputs', 'socket still connected', async () => {
      expect(socket.connected).toBe(true)
    })
    await report.check('after the inputs', 'row counts: only the groups created', async () => {
      const [row] = await server.app.db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "Member" WHERE "conversationId" = ANY($1::uuid[])`,
        [created],
      )
      expect(await server.counts()).toEqual({
        ...countsBefore,
        Conversation: countsBefore.Conversation + new Set(created).size,
        Member: countsBefore.Member + Number(row?.n),
        // Each group's first line, "created" (a system line).
        Message: countsBefore.Message + new Set(created).size,
      })
    })
    await report.check('after the inputs', '/healthz 200', async () => {
      expect((await server.api('GET', '/healthz')).status).toBe(200)
    })
  })
})
