import type { Message } from '@secura/shared'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitAck, waitUntil } from '../helpers.ts'
import { api, connect, createEvent, Device, disconnectAll, join } from './clients.ts'
import { type Cluster, type Instance, startCluster } from './harness.ts'

// Sends are not what is measured here: the per-user limit would only slow the stream down.
let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster({ LIMIT_SEND_PER_SEC: '1000', LIMIT_SEND_BURST: '1000' })
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Four guests in one group, two devices preferring each instance, each sending every `everyMs`. */
async function stream(everyMs: number) {
  const { a, b } = cluster
  const { eventId } = await createEvent(a.url, 'Failover')
  const guests = []
  for (const name of ['Ana', 'Ben', 'Cy', 'Dan']) guests.push(await join(a.url, eventId, name))
  const group = await api(a.url, 'POST', '/api/chat/conversations', {
    token: guests[0]!.token,
    body: { kind: 'group', title: 'Stream', userIds: guests.slice(1).map((g) => g.user.id) },
  })
  const conversationId: string = group.body.id
  // What a balancer with health checks does: the preferred instance, else the other one.
  const prefer = (first: Instance, second: Instance) => () => [first.url, second.url]
  const devices = guests.map(
    (g, i) => new Device(g.user.displayName, g.token, i < 2 ? prefer(a, b) : prefer(b, a), [conversationId]),
  )
  for (const device of devices) await device.start()
  let sending = true
  const loops = devices.map(async (device) => {
    for (let n = 0; sending; n++) {
      device.send(conversationId, `${device.name} ${n}`)
      await sleep(everyMs)
    }
  })
  return {
    conversationId,
    devices,
    async stop() {
      sending = false
      await Promise.all(loops)
    },
  }
}

/** Everything the conversation holds, read fresh from one instance. */
async function freshFetch(base: string, token: string, conversationId: string): Promise<Message[]> {
  const messages: Message[] = []
  for (let since = 0; ; ) {
    const page = await api(
      base,
      'GET',
      `/api/chat/conversations/${conversationId}/messages?sinceRev=${since}&limit=100`,
      {
        token,
      },
    )
    messages.push(...page.body.messages)
    if (!page.body.hasMore) break
    since = page.body.messages.at(-1).rev
  }
  return messages.sort((x, y) => x.seq - y.seq)
}

/** Every send acked once; every device holds every message exactly once, as a fresh fetch shows them. */
async function expectEveryMessageOnceEverywhere(run: Awaited<ReturnType<typeof stream>>) {
  const { devices, conversationId } = run
  await waitUntil(() => devices.every((d) => d.unacked === 0), 'every send acked', 30_000)
  for (const device of devices) expect(device.failures).toEqual([])
  const alive = cluster.instances.find((i) => i.running)!
  const fresh = await freshFetch(alive.url, devices[0]!.token, conversationId)
  const sent = devices.flatMap((d) => d.outbox.map((o) => o.content)).sort()
  // The group's "created" line (a system line) is seq 1; every other message is one that was sent.
  expect(
    fresh
      .filter((m) => !m.system)
      .map((m) => m.content)
      .sort(),
  ).toEqual(sent)
  expect(fresh.map((m) => m.seq)).toEqual(fresh.map((_, i) => i + 1))
  for (const device of devices) {
    await device.sync()
    const held = device.ordered(conversationId)
    expect(held.map((m) => m.id)).toEqual(fresh.map((m) => m.id))
    expect(new Set(held.map((m) => m.seq)).size).toBe(held.length)
    for (const item of device.outbox)
      expect(held.find((m) => m.id === item.acked?.id)?.content).toBe(item.content)
  }
  return fresh.length
}

describe('an instance going away mid-stream', () => {
  it('SIGTERM lets a command in flight finish and ack before the connection closes; new ones get UNAVAILABLE', async () => {
    const { b } = cluster
    const { eventId, lobbyId } = await createEvent(b.url, 'Drain')
    const ana = await join(b.url, eventId, 'Ana')
    const socket = await connect(b.url, ana.token)
    let disconnectedAt = 0
    socket.on('disconnect', () => {
      disconnectedAt = Date.now()
    })
    // Hold the conversation's row: the send waits in its transaction, in flight.
    const lock = new pg.Client({ connectionString: cluster.database.url })
    await lock.connect()
    await lock.query('BEGIN')
    await lock.query('SELECT 1 FROM "Conversation" WHERE id = $1 FOR UPDATE', [lobbyId])
    const send = (content: string) =>
      emitAck(
        socket,
        'message:send',
        { conversationId: lobbyId, clientMessageId: crypto.randomUUID(), content },
        15_000,
      )
    const inFlight = send('in flight').then((ack) => ({ ack, at: Date.now() }))
    await sleep(500)
    const exit = b.stop('SIGTERM')
    await sleep(500)
    const refused = await send('too late')
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
    await sleep(500)
    expect(disconnectedAt).toBe(0)
    await lock.query('COMMIT')
    await lock.end()
    const { ack, at } = await inFlight
    expect(ack).toMatchObject({ ok: true, data: { content: 'in flight', seq: 1 } })
    await waitUntil(() => disconnectedAt > 0, 'the connection closed')
    expect(at).toBeLessThanOrEqual(disconnectedAt)
    expect(await exit).toBe(0)
    await b.restart()
  })

  it('SIGTERM, one instance then the other (a rolling restart): clients move over, resync, and hold every message exactly once', async () => {
    const { a, b } = cluster
    const run = await stream(200)
    const moved = (device: Device, from: Instance) => device.connections.at(-1) !== from.url
    const stops: number[] = []
    await sleep(1500)

    for (const [leaving, other] of [
      [b, a],
      [a, b],
    ] as const) {
      const before = Date.now()
      expect(await leaving.stop('SIGTERM')).toBe(0)
      const tookMs = Date.now() - before
      stops.push(tookMs)
      expect(tookMs).toBeLessThan(10_000)
      expect(leaving.logs.join('\n')).not.toContain('still unanswered')
      await waitUntil(
        () => run.devices.every((d) => d.socket?.connected && moved(d, leaving)),
        'clients on the other instance',
        10_000,
      )
      expect(run.devices.every((d) => d.base === other.url)).toBe(true)
      await leaving.restart()
      await sleep(1500)
    }
    await run.stop()
    const count = await expectEveryMessageOnceEverywhere(run)
    expect(count).toBeGreaterThan(100)
    console.log(`rolling restart: ${count} messages, stops took ${stops.join(' and ')} ms`)
    for (const device of run.devices) expect(device.connections.length).toBeGreaterThanOrEqual(2)
  })

  it('SIGKILL: clients of the dead instance reconnect to the other, re-send what got no ack, and end with every message exactly once', async () => {
    const { b } = cluster
    const run = await stream(200)
    await sleep(1500)
    expect(await b.stop('SIGKILL')).toBeNull()
    await sleep(2000)
    await run.stop()
    const count = await expectEveryMessageOnceEverywhere(run)
    expect(count).toBeGreaterThan(40)
    await b.restart()
  })
})
