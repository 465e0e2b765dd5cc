import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientSocket } from '../helpers.ts'
import { api, connect, createEvent, disconnectAll, join } from './clients.ts'
import { ADMIN_TOKEN, type Cluster, startCluster } from './harness.ts'

/**
 * A session that ends closes its sockets on both instances within a second: expiry (each instance's own
 * timer), logout, invitation revocation with endSessions and event deletion (pushed through Redis).
 */
let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster()
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

/** Resolves with the disconnect reason and when it came; rejects when it does not come within 5 s. */
const closed = (socket: ClientSocket) =>
  new Promise<{ reason: string; at: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket is still open')), 5000)
    socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve({ reason, at: Date.now() })
    })
  })

/** Sockets of one session on both instances. */
async function onBoth(token: string) {
  return [await connect(cluster.a.url, token), await connect(cluster.b.url, token)]
}

/**
 * Runs `end` (what ends the session) and expects every socket closed by the server within `ms` of the end
 * having taken effect: once `end` has answered (a socket may close before that: a negative delay). The
 * request itself is not counted, so a slow database on a busy machine does not decide the outcome.
 */
async function expectClosedWithin(sockets: ClientSocket[], end: () => Promise<unknown>, ms = 1000) {
  const ends = Promise.all(sockets.map(closed))
  await end()
  const ended = Date.now()
  for (const { reason, at } of await ends) {
    expect(reason).toBe('io server disconnect')
    expect(at - ended).toBeLessThan(ms)
  }
}

describe('sessions end on every instance within a second', () => {
  let eventId: string
  beforeAll(async () => {
    ;({ eventId } = await createEvent(cluster.a.url, 'Endings'))
  })

  it('expiry', async () => {
    const guest = await join(cluster.a.url, eventId, 'Expiring')
    const expiresAt = Date.now() + 2000
    const db = new pg.Client({ connectionString: cluster.database.url })
    await db.connect()
    await db.query(`UPDATE "Session" SET "expiresAt" = $2 WHERE "userId" = $1::uuid`, [
      guest.user.id,
      new Date(expiresAt),
    ])
    await db.end()
    const sockets = await onBoth(guest.token)
    await expectClosedWithin(sockets, () => new Promise((r) => setTimeout(r, expiresAt - Date.now())))
  })

  it('logout on one instance', async () => {
    const guest = await join(cluster.a.url, eventId, 'Leaving')
    const sockets = await onBoth(guest.token)
    await expectClosedWithin(sockets, async () => {
      expect((await api(cluster.a.url, 'POST', '/api/auth/logout', { token: guest.token })).status).toBe(204)
    })
  })

  it('invitation revoked with endSessions on the other instance', async () => {
    const invite = await api(cluster.a.url, 'POST', `/api/events/${eventId}/invitations`, {
      token: ADMIN_TOKEN,
      body: {},
    })
    const joined = await api(cluster.a.url, 'POST', '/api/auth/join', {
      body: { code: invite.body.code, displayName: 'Uninvited' },
    })
    const sockets = await onBoth(joined.body.token)
    const path = `/api/events/${eventId}/invitations/${invite.body.invitation.id}?endSessions=true`
    await expectClosedWithin(sockets, async () => {
      const revoked = await api(cluster.b.url, 'DELETE', path, { token: ADMIN_TOKEN })
      expect(revoked.body.endedSessions).toBe(1)
    })
  })

  it('event deletion', async () => {
    const { eventId: doomed } = await createEvent(cluster.b.url, 'Doomed')
    const guest = await join(cluster.b.url, doomed, 'Doomed guest')
    const sockets = await onBoth(guest.token)
    await expectClosedWithin(sockets, async () => {
      expect(
        (await api(cluster.a.url, 'DELETE', `/api/admin/events/${doomed}`, { token: ADMIN_TOKEN })).status,
      ).toBe(204)
    })
  })
})
