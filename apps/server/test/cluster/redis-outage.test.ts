import type { Message } from '@secura/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, emitAck, quiet } from '../helpers.ts'
import { api, connect, createEvent, Device, disconnectAll, join, scrape } from './clients.ts'
import { type Cluster, startCluster } from './harness.ts'

let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster()
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

describe('Redis stopped for a few seconds, then started again (empty)', () => {
  it('no crash, commands still answered, broadcasts resume, clients end as a fresh fetch; presence is restored', async () => {
    const { a, b, redis } = cluster
    const { eventId } = await createEvent(a.url, 'Outage')
    const ana = await join(a.url, eventId, 'Ana')
    const ben = await join(b.url, eventId, 'Ben')
    const group = await api(a.url, 'POST', '/api/chat/conversations', {
      token: ana.token,
      body: { kind: 'group', title: 'Outage', userIds: [ben.user.id] },
    })
    const conversationId: string = group.body.id
    const anaDevice = new Device('Ana', ana.token, () => [a.url], [conversationId])
    const benDevice = new Device('Ben', ben.token, () => [b.url], [conversationId])
    await anaDevice.start()
    await benDevice.start()
    const benSeen = collect(benDevice.socket!)
    anaDevice.send(conversationId, 'before')
    await benSeen.waitFor('message:new', (m) => m.content === 'before')
    const [errorsA, errorsB] = await Promise.all(
      [a.url, b.url].map(async (u) => (await scrape(u)).value('secura_redis_errors_total')),
    )

    await redis.stop()
    // Commands are answered meanwhile: over the socket on a, over HTTP on b, a join, an edit.
    for (const content of ['during 1', 'during 2']) {
      const sent = anaDevice.send(conversationId, content)
      await waitAcked(() => sent.acked !== undefined)
    }
    const viaHttp = await api(b.url, 'POST', `/api/chat/conversations/${conversationId}/messages`, {
      token: ben.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'during (http)' },
    })
    expect(viaHttp.status).toBe(201)
    const edited = await emitAck(anaDevice.socket!, 'message:edited', {
      messageId: anaDevice.outbox[0]!.acked!.id,
      newContent: 'before (edited)',
    })
    expect(edited.ok).toBe(true)
    const cy = await join(b.url, eventId, 'Cy')
    expect(cy.token).toBeTruthy()
    for (const instance of [a, b]) expect((await api(instance.url, 'GET', '/healthz')).status).toBe(200)
    await quiet(2000)
    await redis.start()

    // Broadcasts resume once both instances are subscribed again.
    let probes = 0
    for (;;) {
      const probe = `after ${++probes}`
      anaDevice.send(conversationId, probe)
      const arrived = await benSeen
        .waitFor('message:new', (m) => m.content === probe, 1000)
        .then(
          () => true,
          () => false,
        )
      if (arrived) break
      if (probes > 20) throw new Error('broadcasts did not resume')
    }
    for (const instance of [a, b]) expect(instance.running).toBe(true)
    for (const log of [a.logs, b.logs]) expect(log.join('\n')).not.toMatch(/"msg":"closing"/)

    // After resync (what the client does on reconnect and periodically), both hold what a fresh fetch shows.
    const fresh = await api(a.url, 'GET', `/api/chat/conversations/${conversationId}/messages?sinceRev=0`, {
      token: ana.token,
    })
    const expected = (fresh.body.messages as Message[]).sort((x, y) => x.seq - y.seq)
    expect(expected.map((m) => m.content)).toEqual(
      expect.arrayContaining(['before (edited)', 'during 1', 'during 2', 'during (http)']),
    )
    for (const device of [anaDevice, benDevice]) {
      await device.sync()
      expect(device.ordered(conversationId)).toEqual(expected)
    }

    // Redis came back empty: each instance wrote its presence back. Ben (on b) sees Ana (on a) online.
    const ack = await emitAck(benDevice.socket!, 'presence:subscribe', { userIds: [ana.user.id] })
    expect(ack.ok && ack.data.statuses.map((s: { status: string }) => s.status)).toEqual(['online'])
    const benWatch = collect(benDevice.socket!)
    anaDevice.close()
    expect(await benWatch.waitFor('user:status', (e) => e.userId === ana.user.id, 10_000)).toMatchObject({
      status: 'offline',
    })

    const [afterA, afterB] = await Promise.all([scrape(a.url), scrape(b.url)])
    expect(afterA.value('secura_redis_errors_total')).toBeGreaterThan(errorsA!)
    expect(afterB.value('secura_redis_errors_total')).toBeGreaterThan(errorsB!)
    // Connected sockets on b still work with the other instance: a message from b reaches a new socket on a.
    const anaAgain = collect(await connect(a.url, ana.token))
    await emitAck(benDevice.socket!, 'message:send', {
      conversationId,
      clientMessageId: crypto.randomUUID(),
      content: 'last',
    })
    await anaAgain.waitFor('conversation:message-received', (e) => e.preview === 'last')
  })
})

describe('shutting down while Redis is away', () => {
  it('SIGTERM still closes cleanly and quickly: nothing waits for Redis', async () => {
    const { a, redis } = cluster
    const { eventId } = await createEvent(a.url, 'Down and out')
    const ana = await join(a.url, eventId, 'Ana')
    await connect(a.url, ana.token)
    await redis.stop()
    await quiet(500)
    const started = Date.now()
    expect(await a.stop('SIGTERM')).toBe(0)
    expect(Date.now() - started).toBeLessThan(8000)
    expect(a.logs.join('\n')).toMatch(/"msg":"closed"/)
    await redis.start()
  })
})

async function waitAcked(check: () => boolean) {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not acked while Redis was down')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
