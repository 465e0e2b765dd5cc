import { ClientEventSchemas } from '@secura/shared'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, startServer, type TestServer } from './helpers.ts'

// `pnpm test:fuzz` sets FUZZ_RUNS=10000; the regular suite runs a smaller sample with a fixed seed.
const RUNS = Number(process.env.FUZZ_RUNS ?? 150)
const SEED = Number(process.env.FUZZ_SEED ?? 20261127)

let server: TestServer
let socket: ClientSocket
let token: string
let foreignConversationId: string
let lobbyId: string

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
})
afterAll(() => server.close())

function emitAck(event: string, payload: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} ${JSON.stringify(payload)}`)), 5000)
    ;(socket as any).emit(event, payload, (response: unknown) => {
      clearTimeout(timer)
      resolve(response)
    })
  })
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
  it('the server acks every socket event, never with INTERNAL, and writes nothing', async () => {
    const before = await server.counts()
    const events = Object.keys(ClientEventSchemas)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), hostilePayload, async (event, payload) => {
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
        if (
          [
            'message:send',
            'message:edited',
            'message:deleted',
            'message:reaction',
            'conversation:read',
          ].includes(event)
        ) {
          expect(response.ok).toBe(false)
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(socket.connected).toBe(true)
    expect(await server.counts()).toEqual(before)
  })

  it('every REST body and query gets a 4xx in the shared shape, never a 500, and writes nothing', async () => {
    const before = await server.counts()
    const randomId = '0190a0a0-0000-7000-8000-000000000000'
    const routes: [string, string, string | undefined][] = [
      ['POST', '/api/chat/conversations', token],
      ['POST', `/api/chat/conversations/${foreignConversationId}/messages`, token],
      ['POST', `/api/chat/conversations/${lobbyId}/mark-as-read`, token],
      ['PUT', `/api/chat/conversations/${lobbyId}/messages/${randomId}`, token],
      ['POST', `/api/chat/conversations/${lobbyId}/messages/${randomId}/reaction`, token],
      ['POST', `/api/chat/conversations/${lobbyId}/members`, token],
      ['DELETE', `/api/chat/conversations/${lobbyId}/members`, token],
      ['POST', '/api/chat/sync', token],
      ['POST', '/api/auth/join', undefined],
      ['POST', '/api/auth/invitation', undefined],
      ['POST', '/api/admin/events', 'not-the-admin-token'],
      ['POST', `/api/events/${randomId}/invitations`, ADMIN_TOKEN],
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), hostilePayload, async ([method, path, bearer], body) => {
        const res = await server.api(method, path, {
          ...(bearer && { token: bearer }),
          rawBody: JSON.stringify(body ?? null),
          headers: { 'content-type': 'application/json' },
        })
        expect(res.status).toBeGreaterThanOrEqual(200)
        expect(res.status).toBeLessThan(500)
        if (res.status >= 400) expect(typeof res.body?.error?.code).toBe('string')
      }),
      { numRuns: RUNS, seed: SEED },
    )
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (query) => {
        const res = await server.api(
          'GET',
          `/api/chat/conversations/${lobbyId}/messages?${encodeURI(query)}`,
          { token },
        )
        expect(res.status === 200 || res.status === 400).toBe(true)
        const users = await server.api('GET', `/api/chat/users?q=${encodeURIComponent(query)}`, { token })
        expect(users.status === 200 || users.status === 400).toBe(true)
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(await server.counts()).toEqual(before)
    expect((await server.api('GET', '/healthz')).status).toBe(200)
  })
})
