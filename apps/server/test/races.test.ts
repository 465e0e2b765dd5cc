import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSocket, emitAck, onPostgres, useServer } from './helpers.ts'
import { SecurityReport } from './security/report.ts'

/**
 * Races at real width: 50 requests at once on the same row. They mean most on Postgres (DATABASE_URL),
 * where they truly run side by side; on the embedded database they queue, and the answers must be the same.
 */
const WIDTH = 50
const report = new SecurityReport('races', `races, ${WIDTH} concurrent requests on one row`, {
  database: onPostgres ? 'postgres' : 'embedded',
})
const server = useServer({
  LIMIT_JOINS_PER_MIN: '100000',
  LIMIT_CHANGE_PER_SEC: '100000',
  LIMIT_CHANGE_BURST: '100000',
  LIMIT_EVENTS_PER_SEC: '100000',
})
let eventId: string
let lobbyId: string
let guests: { token: string; socket: ClientSocket }[]
let messageId: string

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Races'))
  const joined = await Promise.all([1, 2, 3].map((n) => server.join(eventId, `Racer ${n}`)))
  guests = await Promise.all(
    joined.map(async (g) => ({ token: g.token, socket: await server.connect({ token: g.token }) })),
  )
  const sent = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
    token: guests[0]!.token,
    body: { clientMessageId: crypto.randomUUID(), content: 'race me' },
  })
  messageId = sent.body.id
})
afterAll(async () => {
  report.finish()
})

const reactionPath = () => `/api/chat/conversations/${lobbyId}/messages/${messageId}/reaction`
const react = (token: string, body: object) => server.api('POST', reactionPath(), { token, body })
async function reactionsNow() {
  const [row] = await server.app.db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Reaction" WHERE "messageId" = $1::uuid`,
    [messageId],
  )
  return Number(row?.n)
}

describe(`${WIDTH} at once`, () => {
  it(
    'joins on an invitation of 20 uses: exactly 20 get in, the rest are told it is used up',
    report.counted('race', 'joins', async () => {
      const { code } = await server.invite(eventId, { maxUses: 20 })
      const results = await Promise.all(
        Array.from({ length: WIDTH }, (_, n) =>
          server.api('POST', '/api/auth/join', { body: { code, displayName: `Crowd ${n}` } }),
        ),
      )
      const statuses = results.map((r) => r.status)
      expect(statuses.filter((s) => s === 200)).toHaveLength(20)
      expect(statuses.filter((s) => s !== 200).every((s) => s === 403)).toBe(true)
      const [row] = await server.app.db.sql.query<{ users: number }>(
        `SELECT count(*)::int AS users FROM "User" WHERE "displayName" LIKE 'Crowd %'`,
      )
      expect(Number(row?.users)).toBe(20)
    }),
  )

  it(
    'reaction removes, adds and toggles of one reaction: every one answered, none a 500',
    report.counted('race', 'reactions', async () => {
      const token = guests[1]!.token
      expect((await react(token, { emoji: '👍', action: 'add' })).status).toBe(200)
      const removes = await Promise.all(
        Array.from({ length: WIDTH }, () => react(token, { emoji: '👍', action: 'remove' })),
      )
      expect(removes.map((r) => r.status)).toEqual(Array(WIDTH).fill(200))
      expect(await reactionsNow()).toBe(0)
      const adds = await Promise.all(
        Array.from({ length: WIDTH }, () => react(token, { emoji: '👍', action: 'add' })),
      )
      expect(adds.map((r) => r.status)).toEqual(Array(WIDTH).fill(200))
      expect(await reactionsNow()).toBe(1)
      // Toggles over both transports: whatever the interleaving, each is answered with the state it left.
      const toggles = await Promise.all(
        Array.from({ length: WIDTH }, async (_, n) => {
          if (n % 2 === 0) return (await react(token, { emoji: '👍' })).status
          const ack = await emitAck(guests[1]!.socket, 'message:reaction', { messageId, emoji: '👍' })
          return ack.ok ? 200 : ack.error.code
        }),
      )
      expect(toggles).toEqual(Array(WIDTH).fill(200))
      const final = await server.api('GET', `/api/chat/conversations/${lobbyId}/messages`, { token })
      const mine = final.body.messages.find((m: { id: string }) => m.id === messageId)
      expect(mine.reactions.length).toBe(await reactionsNow())
    }),
  )

  it(
    'edits of one message: all applied in some order, each with its own rev, the last one kept',
    report.counted('race', 'edits', async () => {
      const token = guests[0]!.token
      const results = await Promise.all(
        Array.from({ length: WIDTH }, (_, n) =>
          server.api('PUT', `/api/chat/conversations/${lobbyId}/messages/${messageId}`, {
            token,
            body: { content: `edit ${n}` },
          }),
        ),
      )
      expect(results.map((r) => r.status)).toEqual(Array(WIDTH).fill(200))
      const revs = results.map((r) => r.body.rev as number)
      expect(new Set(revs).size).toBe(WIDTH)
      const last = results.find((r) => r.body.rev === Math.max(...revs))!
      const page = await server.api('GET', `/api/chat/conversations/${lobbyId}/messages`, { token })
      const stored = page.body.messages.find((m: { id: string }) => m.id === messageId)
      expect(stored).toMatchObject({ content: last.body.content, rev: last.body.rev })
    }),
  )
})
