// The shipped deploy/Caddyfile in front of two instances on Redis and Postgres, as docker compose runs
// them: stickiness per browser (not per address), WebSockets spread, the join limiter deaf to a forged
// X-Forwarded-For, and a rolling restart behind the balancer that loses and doubles nothing.
import type { Message } from '@secura/shared'
import pg from 'pg'
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, createEvent, Device, disconnectAll, scrape } from '../cluster/clients.ts'
import { ADMIN_TOKEN, type Cluster, freePort, startCluster } from '../cluster/harness.ts'
import type { ClientSocket } from '../helpers.ts'
import { waitUntil } from '../helpers.ts'
import { type Balancer, startCaddy } from './caddy.ts'

let cluster: Cluster
let balancer: Balancer
const opened: ClientSocket[] = []

beforeAll(async () => {
  const port = await freePort()
  cluster = await startCluster({
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    // Caddy runs on 127.0.0.1: that address is the balancer the instances trust.
    TRUST_PROXY: '127.0.0.1',
    LIMIT_JOINS_PER_MIN: '3',
    LIMIT_SEND_PER_SEC: '1000',
    LIMIT_SEND_BURST: '1000',
  })
  balancer = await startCaddy([`127.0.0.1:${cluster.a.port}`, `127.0.0.1:${cluster.b.port}`], port)
})
afterAll(async () => {
  for (const socket of opened) socket.disconnect()
  disconnectAll()
  await balancer?.stop()
  await cluster?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let guestNumber = 0
/**
 * A guest, joined on an instance directly with an address of its own in X-Forwarded-For: this test stands
 * where the balancer stands (127.0.0.1, trusted), so each guest counts as one address and the per-address
 * join limit (3 a minute here) leaves the setup alone.
 */
async function guest(eventId: string): Promise<{ token: string; userId: string }> {
  const n = ++guestNumber
  const invite = await api(cluster.a.url, 'POST', `/api/events/${eventId}/invitations`, {
    token: ADMIN_TOKEN,
    body: {},
  })
  const res = await fetch(`${cluster.a.url}/api/auth/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${n >> 8}.${n & 255}` },
    body: JSON.stringify({ code: invite.body.code, displayName: `Guest ${n}` }),
  })
  const body = (await res.json()) as { token: string; user: { id: string } }
  if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(body)}`)
  return { token: body.token, userId: body.user.id }
}

function connectThroughBalancer(token: string, transport: 'websocket' | 'polling'): Promise<ClientSocket> {
  const socket: ClientSocket = io(`${balancer.url}/chat`, {
    auth: { token },
    transports: [transport],
    // Node's client keeps cookies (Caddy's `secura_lb`) only with withCredentials, as a browser does.
    withCredentials: true,
    reconnection: false,
    forceNew: true,
  })
  opened.push(socket)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

/** Sockets each instance holds, from its own /metrics. */
async function socketsPerInstance(): Promise<number[]> {
  return Promise.all(
    cluster.instances.map(async (i) => (await scrape(i.url)).value('secura_sockets_connected')),
  )
}

describe('Caddy in front of two instances', () => {
  it('a forged X-Forwarded-For does not move the join limiter: every join counts against the real address', async () => {
    const statuses: number[] = []
    for (let i = 1; i <= 5; i++) {
      const res = await fetch(`${balancer.url}/api/auth/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        body: JSON.stringify({ code: 'a'.repeat(43), displayName: 'Forger' }),
      })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429])
  })

  it('WebSocket clients from one address land on both instances', async () => {
    const { eventId } = await createEvent(cluster.a.url, 'WebSockets')
    const sockets: ClientSocket[] = []
    for (let i = 0; i < 16; i++)
      sockets.push(await connectThroughBalancer((await guest(eventId)).token, 'websocket'))
    await waitUntil(() => sockets.every((s) => s.connected), 'all connected')
    const counts = await socketsPerInstance()
    expect(counts[0]! + counts[1]!).toBe(16)
    expect(counts[0]).toBeGreaterThan(0)
    expect(counts[1]).toBeGreaterThan(0)
    for (const socket of sockets) socket.disconnect()
    await waitUntil(() => sockets.every((s) => !s.connected), 'all disconnected')
  })

  it('long-polling clients stick to one instance each (their cookie), and the clients spread over both', async () => {
    const { eventId, lobbyId } = await createEvent(cluster.a.url, 'Polling')
    const clients: ClientSocket[] = []
    for (let i = 0; i < 12; i++)
      clients.push(await connectThroughBalancer((await guest(eventId)).token, 'polling'))
    const dropped: string[] = []
    for (const c of clients) c.on('disconnect', (reason) => dropped.push(reason))
    // Each round trip is a POST and a GET of the polling session: one landing on the other instance would
    // end the session ("Session ID unknown").
    for (let round = 0; round < 5; round++)
      await Promise.all(
        clients.map(async (c, i) => {
          const ack = await c.timeout(10_000).emitWithAck('message:send', {
            conversationId: lobbyId,
            clientMessageId: crypto.randomUUID(),
            content: `poll ${i} ${round}`,
          })
          expect(ack).toMatchObject({ ok: true })
        }),
      )
    expect(dropped).toEqual([])
    expect(clients.every((c) => c.connected && c.io.engine.transport.name === 'polling')).toBe(true)
    const cookies = clients.map((c) => {
      const jar = (c.io.engine as unknown as CookieHolder)._cookieJar
      return new Map(jar?.cookies ?? []).get('secura_lb')
    })
    expect(cookies.every((cookie) => typeof cookie?.value === 'string' && cookie.value.length > 0)).toBe(true)
    const counts = await socketsPerInstance()
    expect(counts[0]! + counts[1]!).toBe(12)
    expect(counts[0]).toBeGreaterThan(0)
    expect(counts[1]).toBeGreaterThan(0)
    for (const c of clients) c.disconnect()
  })

  it('a rolling restart behind the balancer loses nothing and doubles nothing', async () => {
    const { a, b } = cluster
    const { eventId } = await createEvent(a.url, 'Rolling')
    const guests = [await guest(eventId), await guest(eventId), await guest(eventId), await guest(eventId)]
    const group = await api(balancer.url, 'POST', '/api/chat/conversations', {
      token: guests[0]!.token,
      body: { kind: 'group', title: 'Rolling', userIds: guests.slice(1).map((g) => g.userId) },
    })
    const conversationId: string = group.body.id
    // Every device only knows the balancer's address, as a phone does.
    const devices = guests.map((g, i) => new Device(`D${i}`, g.token, () => [balancer.url], [conversationId]))
    for (const device of devices) await device.start()
    let sending = true
    const loops = devices.map(async (device) => {
      for (let n = 0; sending; n++) {
        device.send(conversationId, `${device.name} ${n}`)
        await sleep(150)
      }
    })

    await sleep(1500)
    for (const instance of [a, b]) {
      expect(await instance.stop('SIGTERM')).toBe(0)
      await sleep(1000)
      await instance.restart()
      // Longer than the Caddyfile's fail_duration (10 s) and health_interval (5 s): back in the rotation
      // before the other one goes.
      await sleep(11_000)
    }
    sending = false
    await Promise.all(loops)
    await waitUntil(() => devices.every((d) => d.unacked === 0), 'every send acked', 30_000)
    for (const device of devices) expect(device.failures).toEqual([])

    const db = new pg.Client({ connectionString: cluster.database.url })
    await db.connect()
    try {
      const { rows } = await db.query<{
        seq: number
        id: string
        clientMessageId: string
        content: string
        kind: string
      }>(
        'SELECT seq, id, "clientMessageId", content, kind::text FROM "Message" WHERE "conversationId" = $1 ORDER BY seq',
        [conversationId],
      )
      const sent = devices.flatMap((d) => d.outbox)
      // The group's "created" line is seq 1; then one row per message written, no more, no fewer; seq 1..N
      // without gaps; no id twice.
      const written = rows.filter((r) => r.kind === 'user')
      expect(rows.length - written.length).toBe(1)
      expect(written.length).toBe(sent.length)
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1))
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length)
      expect(written.map((r) => r.clientMessageId).sort()).toEqual(sent.map((s) => s.clientMessageId).sort())
      for (const device of devices) {
        await device.sync()
        const held: Message[] = device.ordered(conversationId)
        expect(held.map((m) => m.id)).toEqual(rows.map((r) => r.id))
      }
      console.log(`rolling restart behind Caddy: ${written.length} messages, each stored and held once`)
      expect(rows.length).toBeGreaterThan(100)
    } finally {
      await db.end()
      for (const device of devices) device.close()
    }
  })
})

// engine.io-client's cookie jar in Node (not part of its typed surface).
interface CookieHolder {
  _cookieJar?: { cookies: Iterable<[string, { value: string }]> }
}
