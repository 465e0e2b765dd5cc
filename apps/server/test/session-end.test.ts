import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, emitAck, useServer } from './helpers.ts'
import { SecurityReport } from './security/report.ts'

/**
 * A session that ends takes its open sockets with it: expiry (checked on each command and by a timer, no
 * database read), logout, invitation revocation when the organizer asks for it, event deletion. Across
 * instances: test/cluster/sessions.test.ts.
 */
const report = new SecurityReport('sessions', 'sessions that end close their open sockets')
const server = useServer()
let eventId: string
let lobbyId: string

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Sessions'))
})
afterAll(async () => {
  report.finish()
})

const send = (socket: ClientSocket, content: string) =>
  emitAck(socket, 'message:send', { conversationId: lobbyId, clientMessageId: crypto.randomUUID(), content })

/** Resolves with the disconnect reason and when it came; rejects when it does not come within 5 s. */
const closed = (socket: ClientSocket) =>
  new Promise<{ reason: string; at: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket is still open')), 5000)
    socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve({ reason, at: Date.now() })
    })
  })

async function expireAt(userId: string, at: number) {
  await server.app.db.sql.query(`UPDATE "Session" SET "expiresAt" = $2 WHERE "userId" = $1::uuid`, [
    userId,
    new Date(at),
  ])
}

describe('an open socket does not outlive its session', () => {
  it(
    'expiry: the next command is refused, and the socket is closed within a second of it',
    report.counted('session end', 'expiry', async () => {
      const guest = await server.join(eventId, 'Ephemeral')
      const expiresAt = Date.now() + 1500
      await expireAt(guest.user.id, expiresAt)
      const socket = await server.connect({ token: guest.token })
      expect(await send(socket, 'still here')).toMatchObject({ ok: true })
      const gone = closed(socket)
      // A command in the instant after expiry, before any timer: refused by the command's own check.
      await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now()))
      const late = await send(socket, 'too late').catch(() => ({ ok: false, error: { code: 'CLOSED' } }))
      expect(late).toMatchObject({ ok: false })
      expect(['UNAUTHORIZED', 'CLOSED']).toContain((late as { error: { code: string } }).error.code)
      const { reason, at } = await gone
      expect(reason).toBe('io server disconnect')
      expect(at - expiresAt).toBeLessThan(1000)
      expect((await server.api('GET', '/api/auth/me', { token: guest.token })).status).toBe(401)
    }),
  )

  it(
    'expiry with no command: the timer closes the socket within a second',
    report.counted('session end', 'expiry, idle socket', async () => {
      const guest = await server.join(eventId, 'Idle')
      const expiresAt = Date.now() + 1200
      await expireAt(guest.user.id, expiresAt)
      const socket = await server.connect({ token: guest.token })
      const { at } = await closed(socket)
      expect(at - expiresAt).toBeLessThan(1000)
      expect(at).toBeGreaterThanOrEqual(expiresAt - 5)
    }),
  )

  it(
    'invitation revocation ends the sessions opened with it when the organizer asks, and only then',
    report.counted('session end', 'invitation revoked with endSessions', async () => {
      const { code, id } = await server.invite(eventId, { maxUses: 2 })
      const join = async (displayName: string) =>
        (await server.api('POST', '/api/auth/join', { body: { code, displayName } })).body
      const [first, second] = [await join('Invited one'), await join('Invited two')]
      const bystander = await server.join(eventId, 'Bystander')
      const sockets = await Promise.all(
        [first, second, bystander].map((g) => server.connect({ token: g.token })),
      )
      const path = `/api/events/${eventId}/invitations/${id}`
      const plain = await server.api('DELETE', path, { token: ADMIN_TOKEN })
      expect(plain.body).not.toHaveProperty('endedSessions')
      expect(await send(sockets[0]!, 'revoked, not removed')).toMatchObject({ ok: true })

      const gone = sockets.slice(0, 2).map(closed)
      const started = Date.now()
      const ended = await server.api('DELETE', `${path}?endSessions=true`, { token: ADMIN_TOKEN })
      expect(ended.body.endedSessions).toBe(2)
      for (const { reason, at } of await Promise.all(gone)) {
        expect(reason).toBe('io server disconnect')
        expect(at - started).toBeLessThan(1000)
      }
      expect((await server.api('GET', '/api/auth/me', { token: first.token })).status).toBe(401)
      expect(sockets[2]!.connected).toBe(true)
      expect((await server.api('GET', '/api/auth/me', { token: bystander.token })).status).toBe(200)
    }),
  )

  it(
    'logout closes every socket of that session at once',
    report.counted('session end', 'logout', async () => {
      const guest = await server.join(eventId, 'Leaving')
      const sockets = await Promise.all([1, 2].map(() => server.connect({ token: guest.token })))
      const gone = sockets.map(closed)
      const started = Date.now()
      expect((await server.api('POST', '/api/auth/logout', { token: guest.token })).status).toBe(204)
      for (const { at } of await Promise.all(gone)) expect(at - started).toBeLessThan(1000)
    }),
  )
})
