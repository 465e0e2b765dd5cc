import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitAck } from '../helpers.ts'
import { api, connect, createEvent, disconnectAll, scrape } from './clients.ts'
import { ADMIN_TOKEN, type Cluster, startCluster } from './harness.ts'

const JOINS_PER_MIN = 6
const UPLOADS_PER_MIN = 4
let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster({
    LIMIT_JOINS_PER_MIN: String(JOINS_PER_MIN),
    LIMIT_UPLOADS_PER_MIN: String(UPLOADS_PER_MIN),
  })
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

describe('rate limits hold across instances', () => {
  let eventId: string
  let lobbyId: string
  const tokens: string[] = []

  it('joins: the per-IP limit counts joins on both instances together', async () => {
    const { a, b } = cluster
    ;({ eventId, lobbyId } = await createEvent(a.url, 'Limits'))
    const attempt = async (base: string, n: number) => {
      const invite = await api(base, 'POST', `/api/events/${eventId}/invitations`, {
        token: ADMIN_TOKEN,
        body: {},
      })
      return api(base, 'POST', '/api/auth/join', {
        body: { code: invite.body.code, displayName: `Guest ${n}` },
      })
    }
    const statuses: number[] = []
    for (let n = 0; n < JOINS_PER_MIN + 2; n++) {
      const res = await attempt(n % 2 === 0 ? a.url : b.url, n)
      statuses.push(res.status)
      if (res.status === 200) tokens.push(res.body.token)
      else expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) })
    }
    // Alone, each instance would have let all four of its own through.
    expect(statuses).toEqual([...Array(JOINS_PER_MIN).fill(200), 429, 429])
  })

  it('message sends: one token bucket per user across socket on one instance and HTTP on the other', async () => {
    const { a, b } = cluster
    const token = tokens[0]!
    const socket = await connect(a.url, token)
    const [beforeA, beforeB] = await Promise.all([scrape(a.url), scrape(b.url)])
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        const body = { conversationId: lobbyId, clientMessageId: crypto.randomUUID(), content: `burst ${n}` }
        if (n % 2 === 0) {
          const ack = await emitAck(socket, 'message:send', body)
          return ack.ok ? 'ok' : ack.error.code
        }
        const res = await api(b.url, 'POST', `/api/chat/conversations/${lobbyId}/messages`, { token, body })
        return res.status === 201 ? 'ok' : res.body.error.code
      }),
    )
    const seconds = (Date.now() - started) / 1000
    const accepted = results.filter((r) => r === 'ok').length
    // Burst 20, then 5 a second. Per-instance buckets would have accepted all 40.
    expect(accepted).toBeGreaterThanOrEqual(20)
    expect(accepted).toBeLessThanOrEqual(20 + Math.ceil(seconds * 5) + 1)
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'RATE_LIMITED')).toBe(true)
    const [afterA, afterB] = await Promise.all([scrape(a.url), scrape(b.url)])
    const limited = (m: Awaited<ReturnType<typeof scrape>>, transport: string) =>
      m.value('secura_commands_rejected_total', { transport, code: 'RATE_LIMITED' })
    const refusedOnA = limited(afterA, 'socket') - limited(beforeA, 'socket')
    const refusedOnB = limited(afterB, 'http') - limited(beforeB, 'http')
    expect(refusedOnA + refusedOnB).toBe(40 - accepted)
  })

  it('edits and reactions: one bucket per user across REST on one instance and the socket on the other', async () => {
    const { a, b } = cluster
    const token = tokens[1]!
    const sent = await api(b.url, 'POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token,
      body: { clientMessageId: crypto.randomUUID(), content: 'to be edited' },
    })
    const messageId = sent.body.id as string
    const socket = await connect(a.url, token)
    const emojis = ['👍', '❤️', '😂', '🎉', '👏', '🔥', '😮', '😢', '🙏', '👀']
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        if (n % 2 === 0) {
          const ack = await emitAck(socket, 'message:reaction', {
            messageId,
            emoji: emojis[n % 10],
            action: 'add',
          })
          return ack.ok ? 'ok' : ack.error.code
        }
        const res = await api(b.url, 'PUT', `/api/chat/conversations/${lobbyId}/messages/${messageId}`, {
          token,
          body: { content: `edit ${n}` },
        })
        return res.status === 200 ? 'ok' : res.body.error.code
      }),
    )
    const seconds = (Date.now() - started) / 1000
    const accepted = results.filter((r) => r === 'ok').length
    // Burst 20, then 5 a second; a bucket per instance or per transport would have accepted all 40.
    expect(accepted).toBeGreaterThanOrEqual(20)
    expect(accepted).toBeLessThanOrEqual(20 + Math.ceil(seconds * 5) + 1)
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'RATE_LIMITED')).toBe(true)
  })

  it('uploads: one bucket per user across both instances', async () => {
    const { a, b } = cluster
    const token = tokens[2]!
    const statuses: number[] = []
    for (let n = 0; n < UPLOADS_PER_MIN + 2; n++) {
      const form = new FormData()
      form.append('file', new Blob([`notes ${n}\n`], { type: 'text/plain' }), `notes-${n}.txt`)
      const res = await fetch(
        `${n % 2 === 0 ? a.url : b.url}/api/chat/conversations/${lobbyId}/attachments`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        },
      )
      statuses.push(res.status)
      const body = (await res.json()) as { error?: { code: string } }
      if (res.status !== 201) expect(body.error?.code).toBe('RATE_LIMITED')
    }
    // Alone, each instance would have let three of its own through.
    expect(statuses).toEqual([...Array(UPLOADS_PER_MIN).fill(201), 429, 429])
  })
})
