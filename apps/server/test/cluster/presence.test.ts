import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, emitAck, quiet } from '../helpers.ts'
import { api, connect, createEvent, disconnectAll, join } from './clients.ts'
import { type Cluster, startCluster } from './harness.ts'

const GRACE_MS = 1000
// The production defaults (heartbeat 5 s, entry kept 15 s): a crashed instance's users must be offline
// within ~30 s with what operators run.
let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster({ PRESENCE_GRACE_MS: String(GRACE_MS), LIMIT_SOCKETS_PER_USER: '3' })
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

async function pair(name: string) {
  const { a, b } = cluster
  const { eventId } = await createEvent(a.url, name)
  const eve = await join(a.url, eventId, 'Eve')
  const fay = await join(b.url, eventId, 'Fay')
  const direct = await api(a.url, 'POST', '/api/chat/conversations', {
    token: eve.token,
    body: { kind: 'direct', userId: fay.user.id },
  })
  expect(direct.status).toBe(201)
  return { eventId, eve, fay }
}

/** The user's status in the event directory (GET /api/chat/users) as one instance answers it. */
const statusOf = async (base: string, token: string, userId: string) => {
  const res = await api(base, 'GET', '/api/chat/users', { token })
  return res.body.users.find((u: { id: string }) => u.id === userId)?.status
}

describe('presence across instances', () => {
  it('a user with tabs on both instances stays online until both close, then goes offline once', async () => {
    const { a, b } = cluster
    const { eve, fay } = await pair('Two tabs')
    const watchA = collect(await connect(a.url, fay.token))
    const watchB = collect(await connect(b.url, fay.token))
    const eveA = await connect(a.url, eve.token)
    const eveB = await connect(b.url, eve.token)
    await watchB.waitFor('user:status', (e) => e.status === 'online')
    await quiet(300)
    for (const watch of [watchA, watchB])
      expect(watch.of('user:status').map((e) => e.status)).toEqual(['online'])
    // Seen online from either instance, though each holds only one of her sockets.
    expect(await statusOf(a.url, fay.token, eve.user.id)).toBe('online')
    expect(await statusOf(b.url, fay.token, eve.user.id)).toBe('online')

    eveA.disconnect()
    await quiet(GRACE_MS + 1500)
    for (const watch of [watchA, watchB]) expect(watch.of('user:status')).toHaveLength(1)
    expect(await statusOf(a.url, fay.token, eve.user.id)).toBe('online')

    eveB.disconnect()
    const offline = await watchA.waitFor('user:status', (e) => e.status === 'offline', 10_000)
    expect(offline.userId).toBe(eve.user.id)
    await quiet(1500)
    for (const watch of [watchA, watchB])
      expect(watch.of('user:status').map((e) => e.status)).toEqual(['online', 'offline'])
    expect(await statusOf(a.url, fay.token, eve.user.id)).toBe('offline')

    // A reload that lands on the other instance within the grace: no flap.
    const back = await connect(a.url, eve.token)
    await watchB.waitFor('user:status', (e) => e.status === 'online' && watchB.of('user:status').length === 3)
    back.disconnect()
    await connect(b.url, eve.token)
    await quiet(GRACE_MS + 1500)
    expect(watchA.of('user:status').map((e) => e.status)).toEqual(['online', 'offline', 'online'])
  })

  it('presence:subscribe answers statuses known on the other instance', async () => {
    const { a, b } = cluster
    const { eve, fay } = await pair('Subscribe')
    await connect(b.url, eve.token)
    const fayOnA = await connect(a.url, fay.token)
    const ack = await emitAck(fayOnA, 'presence:subscribe', { userIds: [eve.user.id] })
    expect(ack.ok && ack.data.statuses.map((s: { status: string }) => s.status)).toEqual(['online'])
  })

  it('the sockets-per-user limit counts sockets on every instance', async () => {
    const { a, b } = cluster
    const { eve } = await pair('Limit')
    await connect(a.url, eve.token)
    await connect(b.url, eve.token)
    await connect(a.url, eve.token)
    for (const base of [a.url, b.url]) {
      const refused = await connect(base, eve.token).then(
        () => 'connected',
        (error: Error & { data?: { code: string } }) => error.data?.code ?? error.message,
      )
      expect(refused).toBe('RATE_LIMITED')
    }
  })

  it('a SIGKILLed instance’s users go offline within 30 s; users also on the survivor do not flap', async () => {
    const { a, b } = cluster
    const { eve, fay } = await pair('Crash')
    const { eventId } = await createEvent(a.url, 'Crash 2')
    const gil = await join(a.url, eventId, 'Gil')
    const hal = await join(a.url, eventId, 'Hal')
    await api(a.url, 'POST', '/api/chat/conversations', {
      token: gil.token,
      body: { kind: 'direct', userId: hal.user.id },
    })
    const watch = collect(await connect(a.url, fay.token))
    const watchGil = collect(await connect(a.url, gil.token))
    await connect(b.url, eve.token) // only on b: goes down with it
    await connect(b.url, hal.token) // on both: stays online
    await connect(a.url, hal.token)
    await watch.waitFor('user:status', (e) => e.userId === eve.user.id && e.status === 'online')
    await watchGil.waitFor('user:status', (e) => e.userId === hal.user.id && e.status === 'online')

    const killedAt = Date.now()
    expect(await b.stop('SIGKILL')).toBeNull()
    const offline = await watch.waitFor(
      'user:status',
      (e) => e.userId === eve.user.id && e.status === 'offline',
      30_000,
    )
    const tookMs = Date.now() - killedAt
    expect(offline.userId).toBe(eve.user.id)
    expect(tookMs).toBeLessThan(30_000)
    expect(await statusOf(a.url, fay.token, eve.user.id)).toBe('offline')
    await quiet(500)
    expect(watchGil.of('user:status').map((e) => [e.userId, e.status])).toEqual([[hal.user.id, 'online']])
    expect(await statusOf(a.url, gil.token, hal.user.id)).toBe('online')
    console.log(`presence: a SIGKILLed instance's user was shown offline after ${tookMs} ms`)
    await b.restart()
  })
})
