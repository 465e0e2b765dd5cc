import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import {
  type ClientSocket,
  collect,
  emitAck,
  onPostgres,
  quiet,
  type Recorder,
  useServer,
} from './helpers.ts'

// Short, to keep the tests quick, yet long enough for a reconnect on a busy 2-core machine to land within it.
const GRACE_MS = 800
const server = useServer({ PRESENCE_GRACE_MS: String(GRACE_MS) })

interface Guest {
  id: string
  token: string
  /** Opens a socket (a tab) with a recorder. */
  open(): Promise<{ socket: ClientSocket; rec: Recorder }>
}

async function guests(names: string[]): Promise<Guest[]> {
  const event = (await server.createEvent('Presence')).eventId
  return Promise.all(
    names.map(async (name) => {
      const { token, user } = await server.join(event, name)
      return {
        id: user.id,
        token,
        async open() {
          const socket = await server.connect({ token })
          return { socket, rec: collect(socket) }
        },
      }
    }),
  )
}

const createConversation = (owner: Guest, body: object) =>
  server.api('POST', '/api/chat/conversations', { token: owner.token, body })

const status = (userId: string, value: 'online' | 'offline') => ({
  userId,
  status: value,
  lastSeenAt: expect.stringMatching(/Z$/),
  timestamp: expect.stringMatching(/Z$/),
})

async function storedLastSeen(userId: string): Promise<string> {
  const [row] = await server.app.db.sql.query<{ lastSeenAt: Date }>(
    'SELECT "lastSeenAt" FROM "User" WHERE id = $1',
    [userId],
  )
  return new Date(row!.lastSeenAt).toISOString()
}

describe('presence (user:status)', () => {
  it('goes to direct and group partners, once each, never to guests who only share the lobby', async () => {
    const [ana, ben, cy, dan] = (await guests(['Ana', 'Ben', 'Cy', 'Dan'])) as [Guest, Guest, Guest, Guest]
    const [out] = (await guests(['Out'])) as [Guest]
    await createConversation(ana, { kind: 'direct', userId: ben.id })
    await createConversation(ana, { kind: 'group', title: 'G', userIds: [ben.id, cy.id] })
    const [a0, c0, d0, o0] = [await ana.open(), await cy.open(), await dan.open(), await out.open()]
    await a0.rec.waitFor('user:status', (e) => e.userId === cy.id)
    a0.rec.clear()

    const b0 = await ben.open()
    for (const tab of [a0, c0]) expect(await tab.rec.waitFor('user:status')).toEqual(status(ben.id, 'online'))
    b0.socket.disconnect()
    const offline = await a0.rec.waitFor('user:status', (e) => e.status === 'offline')
    expect(offline).toEqual(status(ben.id, 'offline'))
    expect(await storedLastSeen(ben.id)).toBe(offline.lastSeenAt)
    await c0.rec.waitFor('user:status', (e) => e.status === 'offline')
    await quiet()
    for (const tab of [a0, c0])
      expect(tab.rec.of('user:status').map((e) => e.status)).toEqual(['online', 'offline'])
    for (const tab of [a0, c0]) expect(tab.rec.names()).toEqual(['user:status', 'user:status'])
    expect(d0.rec.received).toEqual([])
    expect(o0.rec.received).toEqual([])
    expect(b0.rec.received).toEqual([])
  })

  it('a reload within the grace and a second tab closing do not flap; the last socket going does, after the grace', async () => {
    const [ana, ben] = (await guests(['Ana', 'Ben'])) as [Guest, Guest]
    await createConversation(ana, { kind: 'direct', userId: ben.id })
    const b0 = await ben.open()
    let a0 = await ana.open()
    await b0.rec.waitFor('user:status')
    b0.rec.clear()

    a0.socket.disconnect() // a reload
    a0 = await ana.open()
    const a1 = await ana.open() // a second tab, closed again
    a1.socket.disconnect()
    await quiet(GRACE_MS + 700)
    expect(b0.rec.received).toEqual([])
    const directory = await server.api('GET', '/api/chat/users', { token: ben.token })
    expect(directory.body.users.find((u: { id: string }) => u.id === ana.id).status).toBe('online')

    a0.socket.disconnect()
    const offline = await b0.rec.waitFor('user:status')
    expect(offline).toEqual(status(ana.id, 'offline'))
    expect(await storedLastSeen(ana.id)).toBe(offline.lastSeenAt)
    const after = await server.api('GET', '/api/chat/users', { token: ben.token })
    expect(after.body.users.find((u: { id: string }) => u.id === ana.id)).toMatchObject({
      status: 'offline',
      lastSeenAt: offline.lastSeenAt,
    })
    expect(after.body.users.find((u: { id: string }) => u.id === ben.id).status).toBe('online')

    await ana.open()
    expect(await b0.rec.waitFor('user:status', (e) => e.status === 'online')).toEqual(
      status(ana.id, 'online'),
    )
    await quiet()
    expect(b0.rec.of('user:status').map((e) => e.status)).toEqual(['offline', 'online'])
  })

  it.skipIf(!onPostgres)(
    'a reconnect while the offline is being stored leaves the user online (Postgres: holds a row lock)',
    async () => {
      const [ana, ben] = (await guests(['Ana', 'Ben'])) as [Guest, Guest]
      await createConversation(ana, { kind: 'direct', userId: ben.id })
      const b0 = await ben.open()
      const a0 = await ana.open()
      await b0.rec.waitFor('user:status')
      b0.rec.clear()
      // Another session holds Ana's row, so the offline write (lastSeenAt) waits until it commits.
      const lock = new pg.Client({ connectionString: server.app.config.databaseUrl })
      await lock.connect()
      await lock.query('BEGIN')
      await lock.query('SELECT 1 FROM "User" WHERE id = $1 FOR UPDATE', [ana.id])
      a0.socket.disconnect()
      await quiet(GRACE_MS + 500)
      await ana.open()
      await quiet()
      await lock.query('COMMIT')
      await lock.end()
      await quiet(500)
      expect(b0.rec.of('user:status').at(-1)).toEqual(status(ana.id, 'online'))
      const directory = await server.api('GET', '/api/chat/users', { token: ben.token })
      expect(directory.body.users.find((u: { id: string }) => u.id === ana.id).status).toBe('online')
    },
  )

  it('presence:subscribe acks current statuses of the event’s users, then delivers their changes; a new one replaces it', async () => {
    const [ana, ben, dan] = (await guests(['Ana', 'Ben', 'Dan'])) as [Guest, Guest, Guest]
    const [out] = (await guests(['Out'])) as [Guest]
    const a0 = await ana.open()
    const d0 = await dan.open()
    const ack = await emitAck(d0.socket, 'presence:subscribe', {
      userIds: [ana.id, ben.id, out.id, randomUUID()],
    })
    if (!ack.ok) throw new Error(JSON.stringify(ack.error))
    const byUser = Object.fromEntries(ack.data.statuses.map((s: { userId: string }) => [s.userId, s]))
    expect(byUser).toEqual({ [ana.id]: status(ana.id, 'online'), [ben.id]: status(ben.id, 'offline') })
    expect(byUser[ben.id].lastSeenAt).toBe(await storedLastSeen(ben.id))

    const o0 = await out.open() // another event's user: never subscribed
    const b0 = await ben.open()
    expect(await d0.rec.waitFor('user:status')).toEqual(status(ben.id, 'online'))

    const replaced = await emitAck(d0.socket, 'presence:subscribe', { userIds: [ana.id] })
    expect(replaced.ok && replaced.data.statuses.map((s: { userId: string }) => s.userId)).toEqual([ana.id])
    b0.socket.disconnect()
    o0.socket.disconnect()
    await quiet(50)
    a0.socket.disconnect()
    expect(await d0.rec.waitFor('user:status', (e) => e.userId === ana.id)).toEqual(status(ana.id, 'offline'))
    await quiet()
    expect(d0.rec.of('user:status').map((e) => [e.userId, e.status])).toEqual([
      [ben.id, 'online'],
      [ana.id, 'offline'],
    ])

    const cleared = await emitAck(d0.socket, 'presence:subscribe', { userIds: [] })
    expect(cleared).toEqual({ ok: true, data: { statuses: [] } })
    await ana.open()
    const tooMany = await emitAck(d0.socket, 'presence:subscribe', {
      userIds: Array.from({ length: 201 }, () => randomUUID()),
    })
    expect(tooMany.ok || tooMany.error.code).toBe('VALIDATION')
    await quiet()
    expect(d0.rec.names()).toEqual(['user:status', 'user:status'])
  })

  it('user:online acks {} and one’s own userId, refuses someone else’s', async () => {
    const [ana, ben] = (await guests(['Ana', 'Ben'])) as [Guest, Guest]
    const { socket } = await ana.open()
    expect(await emitAck(socket, 'user:online', {})).toEqual({ ok: true, data: null })
    expect(await emitAck(socket, 'user:online', { userId: ana.id })).toEqual({ ok: true, data: null })
    const other = await emitAck(socket, 'user:online', { userId: ben.id })
    expect(other.ok || other.error.code).toBe('VALIDATION')
  })
})
