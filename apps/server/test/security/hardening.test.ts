import { connect as tcpConnect } from 'node:net'
import { isSingleEmoji } from '@secura/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, collect, emitAck, PUBLIC_URL, useServer } from '../helpers.ts'
import { deepJson } from './arbitraries.ts'
import { emitRaw } from './raw-socket.ts'
import { SecurityReport } from './report.ts'

/**
 * One regression test per class of input an outside review found answered badly: each failed before the
 * fix. Sessions that end are in session-end.test.ts, concurrent reactions in races.test.ts.
 */
const report = new SecurityReport('hardening', 'hardening: each class of input a review found answered badly')
const server = useServer()
let eventId: string
let lobbyId: string
let token: string
let socket: ClientSocket
let messageId: string

/** 100 distinct single emoji. */
const EMOJIS = Array.from({ length: 0x300 }, (_, i) => String.fromCodePoint(0x1f300 + i))
  .filter(isSingleEmoji)
  .slice(0, 100)
const deepObject = (levels: number): unknown => JSON.parse(deepJson(levels, 'object'))

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Hardening'))
  const guest = await server.join(eventId, 'Harriet')
  token = guest.token
  socket = await server.connect({ token })
  const sent = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
    token,
    body: { clientMessageId: crypto.randomUUID(), content: 'first' },
  })
  messageId = sent.body.id
})
afterAll(async () => {
  report.finish()
})

describe('1. depth and size are bounded before anything walks a payload', () => {
  it(
    'a 5,000-deep array sent without a token to three routes is a 400, not a 500; so is a 6,000-wide one',
    report.counted('depth', 'REST body 5,000 deep', async () => {
      // Deep as a whole, or deep in a field no schema names (which validation used to copy).
      const bodies = [
        deepJson(5000),
        `{"cursors":[],"name":"x","code":"${'a'.repeat(20)}","x":${deepJson(5000)}}`,
      ]
      for (const path of ['/api/chat/sync', '/api/admin/events', '/api/auth/invitation']) {
        for (const rawBody of bodies) {
          const res = await server.api('POST', path, { rawBody, headers: json })
          expect(res.status, path).toBe(400)
          expect(res.body.error).toEqual({
            code: 'VALIDATION',
            message: 'The payload is nested too deeply (at most 8 levels)',
          })
        }
      }
      const wide = await server.api('POST', '/api/chat/sync', {
        token,
        rawBody: JSON.stringify({ cursors: Array.from({ length: 6000 }, () => 0) }),
        headers: json,
      })
      expect(wide.body.error.code).toBe('VALIDATION')
    }),
  )
  it(
    'socket payloads',
    report.counted('depth', 'socket payload 5,000 deep', async () => {
      const payload = `{"conversationId":"${lobbyId}","clientMessageId":"deep-1","content":"x","x":${deepJson(5000)}}`
      for (const raw of [deepJson(5000), payload]) {
        const ack = await emitRaw(socket, 'message:send', raw)
        expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
      }
      expect(socket.connected).toBe(true)
    }),
  )
  it(
    'the handshake auth',
    report.counted('depth', 'handshake auth 3,000 deep', async () => {
      for (const auth of [{ token: deepObject(3000) }, { token, extra: deepObject(3000) }]) {
        const error = await server.connect(auth).catch((e: { data?: unknown }) => e)
        expect((error as { data?: unknown }).data).toMatchObject({ code: 'UNAUTHORIZED' })
      }
    }),
  )
})

const json = { 'content-type': 'application/json' }

describe('2. NUL, lone surrogates and controls are refused naming the field', () => {
  it(
    'in names at join, in invitations, titles and event names',
    report.counted('forbidden code points', 'names', async () => {
      const { code } = await server.invite(eventId)
      const join = await server.api('POST', '/api/auth/join', { body: { code, displayName: 'Ada\u0000' } })
      expect(join.status).toBe(400)
      expect(join.body.error.message).toBe('The display name must not contain control characters (U+0000)')
      const surrogate = await server.api('POST', '/api/auth/join', { body: { code, displayName: 'A\uD800' } })
      expect(surrogate.body.error.message).toMatch(/^The display name must not contain broken characters/)
      const invite = await server.api('POST', `/api/events/${eventId}/invitations`, {
        token: ADMIN_TOKEN,
        body: { displayName: 'Bo\u0000' },
      })
      expect(invite.body.error).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/U\+0000/),
      })
      const event = await server.api('POST', '/api/admin/events', {
        token: ADMIN_TOKEN,
        body: { name: 'E\u0000' },
      })
      expect(event.body.error.message).toBe('The event name must not contain control characters (U+0000)')
      const group = await server.api('POST', '/api/chat/conversations', {
        token,
        body: { kind: 'group', title: 'T\u0000', userIds: [] },
      })
      expect(group.body.error.message).toBe('The title must not contain control characters (U+0000)')
    }),
  )
  it(
    'in messages and edits, over REST and socket',
    report.counted('forbidden code points', 'messages', async () => {
      const rest = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
        token,
        body: { clientMessageId: crypto.randomUUID(), content: 'hi\u0000' },
      })
      expect(rest.body.error.message).toBe('The message must not contain control characters (U+0000)')
      const edit = await server.api('PUT', `/api/chat/conversations/${lobbyId}/messages/${messageId}`, {
        token,
        body: { content: '\uDC00' },
      })
      expect(edit.body.error.code).toBe('VALIDATION')
      const ack = await emitAck(socket, 'message:send', {
        conversationId: lobbyId,
        clientMessageId: crypto.randomUUID(),
        content: 'x\u0000',
      })
      expect(ack).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', message: expect.stringMatching(/U\+0000/) },
      })
      const socketEdit = await emitAck(socket, 'message:edited', { messageId, newContent: '\u0000' })
      expect(socketEdit).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    }),
  )
  it(
    'in query strings',
    report.counted('forbidden code points', 'GET /api/chat/users?q=%00', async () => {
      const res = await server.api('GET', '/api/chat/users?q=%00', { token })
      expect(res.status).toBe(400)
      expect(res.body.error.message).toBe('The search must not contain control characters (U+0000)')
    }),
  )
})

describe('5. edits and reactions: one bucket per user, across transports', () => {
  it(
    '200 edits and reactions over REST and socket at once: one burst and its refill pass, the rest are refused and never broadcast',
    report.counted('flood', 'edits and reactions', async () => {
      const viewer = await server.join(eventId, 'Watcher')
      const watching = await server.connect({ token: viewer.token })
      await emitAck(watching, 'conversation:join', { conversationId: lobbyId })
      const seen = collect(watching)
      const started = Date.now()
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, n) => {
          if (n % 2 === 1) {
            // A different emoji each: every reaction accepted changes something, so each is broadcast.
            const emoji = EMOJIS[(n - 1) / 2]
            const ack = await emitAck(socket, 'message:reaction', { messageId, emoji })
            return ack.ok ? 'reaction' : ack.error.code
          }
          const res = await server.api('PUT', `/api/chat/conversations/${lobbyId}/messages/${messageId}`, {
            token,
            body: { content: `edit ${n}` },
          })
          return res.status === 200 ? 'edit' : res.body.error.code
        }),
      )
      const seconds = (Date.now() - started) / 1000
      const edits = results.filter((r) => r === 'edit').length
      const reactions = results.filter((r) => r === 'reaction').length
      // Burst 20, then 5 a second, for both together; a bucket per transport would pass about twice that.
      expect(edits + reactions).toBeGreaterThanOrEqual(20)
      expect(edits + reactions).toBeLessThanOrEqual(20 + Math.ceil(seconds * 5) + 1)
      expect(results.filter((r) => r !== 'edit' && r !== 'reaction').every((r) => r === 'RATE_LIMITED')).toBe(
        true,
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(seen.of('message:edited').length).toBe(edits)
      expect(seen.of('message:reaction').length).toBe(reactions)
    }),
  )
})

describe('6. names: no bidi, no zero-width, no lookalike of an organizer', () => {
  it(
    'bidi controls and zero-width characters are refused with a message a guest understands',
    report.counted('names', 'bidi and zero-width', async () => {
      for (const [displayName, reason] of [
        ['\u202Egnp.exe\u202C Host', 'must not contain characters that reverse the text direction (U+202E)'],
        ['\u200b', 'must not contain invisible characters (U+200B)'],
        ['admin\u200b', 'must not contain invisible characters (U+200B)'],
      ] as const) {
        const { code } = await server.invite(eventId)
        const res = await server.api('POST', '/api/auth/join', { body: { code, displayName } })
        expect(res.status).toBe(400)
        expect(res.body.error.message).toBe(`The display name ${reason}`)
      }
    }),
  )
  it(
    'a lookalike of an organizer of the same event is refused; names are stored in NFC',
    report.counted('names', 'organizer lookalike', async () => {
      await server.join(eventId, 'Alice', 'organizer')
      for (const displayName of ['\u0410Iice', 'ALICE', 'Alicé']) {
        const { code } = await server.invite(eventId)
        const res = await server.api('POST', '/api/auth/join', { body: { code, displayName } })
        expect(res.status, displayName).toBe(400)
        expect(res.body.error).toMatchObject({ code: 'VALIDATION', details: { reason: 'name' } })
        expect(res.body.error.message).toContain('looks too much like the name of an organizer')
      }
      // In another event the name is free.
      const other = await server.createEvent('Elsewhere')
      expect((await server.join(other.eventId, 'ALICE')).user.displayName).toBe('ALICE')
      expect((await server.join(eventId, 'Zoe\u0301')).user.displayName).toBe('Zoé')
    }),
  )
})

describe('7. errors before routing keep the shared shape', () => {
  it(
    'a malformed URL',
    report.counted('error shape', 'FST_ERR_BAD_URL', async () => {
      const res = await server.api('GET', '/api/chat/users/%c0')
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ error: { code: 'VALIDATION', message: 'The URL is malformed' } })
    }),
  )
  it(
    'a content-length that does not parse',
    report.counted('error shape', 'content-length mismatch', async () => {
      const url = new URL(server.url)
      const raw = await new Promise<string>((resolve, reject) => {
        const conn = tcpConnect(Number(url.port), url.hostname)
        let text = ''
        conn.on('data', (chunk) => {
          text += chunk
        })
        conn.on('end', () => resolve(text))
        conn.on('error', reject)
        conn.write('POST /api/auth/join HTTP/1.1\r\nHost: x\r\nContent-Length: 5x\r\n\r\n{}')
      })
      expect(raw).toMatch(/^HTTP\/1\.1 400/)
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 'VALIDATION', message: 'The HTTP request is malformed (its length or headers)' },
      })
    }),
  )
})

describe('8. headers', () => {
  it(
    'CSP connect-src names the app’s own origins, not every WebSocket host',
    report.counted('headers', 'CSP connect-src', async () => {
      const res = await server.api('GET', '/healthz')
      const connect = /connect-src ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1]
      expect(connect?.split(' ')).toEqual(["'self'", PUBLIC_URL, PUBLIC_URL.replace('http', 'ws')])
    }),
  )
  it(
    'CORS preflight allows the methods the API has',
    report.counted('headers', 'CORS preflight methods', async () => {
      const res = await fetch(`${server.url}/api/chat/conversations/${lobbyId}/messages/${messageId}`, {
        method: 'OPTIONS',
        headers: { origin: PUBLIC_URL, 'access-control-request-method': 'PUT' },
      })
      expect(res.status).toBe(204)
      const methods = res.headers.get('access-control-allow-methods')?.split(/,\s*/) ?? []
      expect(methods).toEqual(expect.arrayContaining(['PUT', 'DELETE', 'POST', 'GET']))
    }),
  )
})

describe('9 and 10', () => {
  it(
    'wrong admin tokens are throttled per address, and then even the right one waits',
    report.counted('admin token', 'failures throttled', async () => {
      const statuses: number[] = []
      for (let n = 0; n < 30; n++)
        statuses.push((await server.api('GET', '/api/admin/events', { token: `wrong-${n}` })).status)
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
      expect(statuses.slice(10)).toEqual(Array(20).fill(429))
      const right = await server.api('GET', '/api/admin/events', { token: ADMIN_TOKEN })
      expect(right.status).toBe(429)
      expect(right.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) })
    }),
  )
  it(
    'the 4001-character refusal says the limit in words',
    report.counted('messages', '4001 characters', async () => {
      const res = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
        token,
        body: { clientMessageId: crypto.randomUUID(), content: 'x'.repeat(4001) },
      })
      expect(res.body.error).toMatchObject({
        code: 'VALIDATION',
        message: 'The message must be at most 4000 characters (it has 4001)',
      })
    }),
  )
})

describe('11. integer query parameters', () => {
  it(
    'take decimal integers only: a fraction, an exponent, hex, blanks or no digits are VALIDATION, never truncated',
    report.counted('queries', 'integer parameters', async () => {
      const history = `/api/chat/conversations/${lobbyId}/messages`
      const targets: [name: string, path: string, bearer: string][] = [
        ...['beforeSeq', 'afterSeq', 'aroundSeq', 'sinceRev', 'limit'].map(
          (name): [string, string, string] => [name, `${history}?${name}=`, token],
        ),
        ['limit', '/api/chat/users?limit=', token],
        ['limit', '/api/chat/search?q=first&limit=', token],
        ['limit', `/api/events/${eventId}/guests?limit=`, ADMIN_TOKEN],
      ]
      for (const [name, path, bearer] of targets) {
        for (const text of ['1.5', '0.5', '2.0', '1e1', '0x1', '%201', '', '1,5', 'Infinity', '+1']) {
          const res = await server.api('GET', path + text, { token: bearer })
          expect([res.status, res.body.error?.code], `${path}${text}`).toEqual([400, 'VALIDATION'])
          expect(res.body.error.message, `${path}${text}`).toContain(name)
        }
        // An integer means what it says, leading zeros and all.
        for (const text of ['1', '01', '20']) {
          const res = await server.api('GET', path + text, { token: bearer })
          expect(res.status, `${path}${text}`).toBe(200)
        }
      }
      // The page asked for is the one answered: `limit=1` is one message, where `limit=1.5` was one too.
      const one = await server.api('GET', `${history}?limit=01`, { token })
      expect(one.body.messages).toHaveLength(1)
    }),
  )
})
