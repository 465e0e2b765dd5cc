import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { AttachmentSender, verifyAttachments } from './attachments.ts'
import type { ChaosClient } from './clients/client.ts'
import { RemoteClient } from './clients/remote.ts'
import type { ScenarioContext } from './context.ts'
import { ROOT } from './infra/server.ts'
import { sleep } from './infra/util.ts'
import { conversationsOf } from './world.ts'

export interface ScenarioResult {
  /** Where the verification fetches history (a live server, not through a faulty proxy). */
  restBase: () => string
  extra?: Record<string, unknown>
  /** Checks of the scenario's own (e.g. memory bounded); each string is a failure. */
  failures?: string[]
}

export interface Scenario {
  name: string
  title: string
  /** The whole scenario, setup to teardown, is stopped and failed past this. */
  timeLimitMs: number
  /** A reason to skip it, when it cannot run here. */
  skip?: () => string | undefined
  run(ctx: ScenarioContext): Promise<ScenarioResult>
}

const GUESTS = 8

async function clientsOf(ctx: ScenarioContext, baseUrl: (i: number) => string, count = GUESTS) {
  const clients: ChaosClient[] = []
  for (let i = 0; i < count; i++) clients.push(await ctx.client(i, baseUrl(i)))
  return clients
}

/** The common start: a fresh database, one server, the event's guests, and a client for each. */
async function oneServerWorld(ctx: ScenarioContext) {
  await ctx.database()
  const server = await ctx.server('server')
  await ctx.createWorld(server.url, GUESTS)
  return { server, clients: await clientsOf(ctx, () => server.url) }
}

/** After a fault, at a fixed time from the start of the traffic. */
async function at(ctx: ScenarioContext, start: number, ms: number) {
  await sleep(Math.max(0, start + ms - Date.now()))
  if (ctx.stopping) throw new Error('stopped')
}

const serverKill: Scenario = {
  name: 'server-sigkill',
  title: 'server SIGKILLed mid-stream (twice) and restarted, photos and files being sent meanwhile',
  timeLimitMs: 240_000,
  async run(ctx) {
    const { server, clients } = await oneServerWorld(ctx)
    const world = ctx.world!
    const photographer = world.guests[0]!
    const sender = new AttachmentSender(
      () => server.url,
      photographer.token,
      world.lobbyId,
      ctx.name,
      ctx.ownedMessages,
    )
    ctx.markStart()
    const done = new AbortController()
    const traffic = ctx.traffic(clients, { intervalMs: 250, editEvery: 12, signal: done.signal })
    const attachments = sender.run(done.signal)
    await sleep(4000)
    for (let kill = 0; kill < 2; kill++) {
      ctx.fault('SIGKILL the server')
      await server.kill()
      await sleep(500)
      ctx.fault('restart the server')
      await server.start()
      ctx.log('the server answers again')
      // Up for a while, messages flowing, before the next kill (or the end of the traffic).
      await sleep(5000)
    }
    done.abort()
    await traffic
    await attachments
    ctx.log(`${sender.sent.length} attachments sent: checking them, then the sweep`)
    const checked = await verifyAttachments(ctx.databaseUrl, server, sender, photographer.user.id)
    return { restBase: () => server.url, extra: checked.figures, failures: checked.problems }
  },
}

const serverTerm: Scenario = {
  name: 'server-sigterm',
  title: 'graceful restart (SIGTERM, exit 0, start again) mid-stream',
  timeLimitMs: 180_000,
  async run(ctx) {
    const { server, clients } = await oneServerWorld(ctx)
    ctx.markStart()
    const start = Date.now()
    const traffic = ctx.traffic(clients, { durationMs: 14_000, intervalMs: 250, editEvery: 12 })
    await at(ctx, start, 5000)
    ctx.fault('SIGTERM the server')
    const began = Date.now()
    const exit = await server.terminate()
    const stopMs = Date.now() - began
    ctx.log(`exited with ${exit?.signal ?? `code ${exit?.code}`} after ${stopMs} ms`)
    ctx.fault('start the server again')
    await server.start()
    await traffic
    const failures =
      exit?.code === 0 ? [] : [`graceful stop ended with ${exit?.signal ?? `code ${exit?.code}`}`]
    return { restBase: () => server.url, extra: { gracefulStopMs: stopMs }, failures }
  },
}

const postgresDown: Scenario = {
  name: 'postgres-down',
  title: 'Postgres stopped (pg_ctl stop -m immediate) for ~5 s, then started',
  timeLimitMs: 180_000,
  async run(ctx) {
    const { server, clients } = await oneServerWorld(ctx)
    ctx.markStart()
    const start = Date.now()
    const traffic = ctx.traffic(clients, { durationMs: 16_000, intervalMs: 250, editEvery: 12 })
    await at(ctx, start, 4000)
    ctx.fault('pg_ctl stop -m immediate')
    await ctx.pg.stopImmediate()
    const down = Date.now()
    await sleep(5000)
    ctx.fault('pg_ctl start')
    await ctx.pg.start()
    const downMs = Date.now() - down
    const ready = await fetch(`${server.url}/readyz`).then((r) => r.status)
    await traffic
    return { restBase: () => server.url, extra: { postgresDownMs: downMs, readyzAfterRestart: ready } }
  },
}

/** Cluster mode is there when the server wires a socket.io Redis adapter (protocol §8). */
function clusterMode(): boolean {
  const dir = join(ROOT, 'apps/server/src')
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f)
      if (f === 'generated') return []
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
    })
  return (
    existsSync(dir) &&
    walk(dir).some((f) => /from '@socket\.io\/redis(-streams)?-adapter'/.test(readFileSync(f, 'utf8')))
  )
}

const cluster: Scenario = {
  name: 'cluster-redis',
  title: 'two instances behind the proxy with REDIS_URL: one SIGKILLed, Redis stopped ~3 s',
  timeLimitMs: 210_000,
  skip: () =>
    clusterMode()
      ? undefined
      : 'cluster mode is not in the server yet (no socket.io Redis adapter in apps/server/src): nothing to scale out',
  async run(ctx) {
    await ctx.database()
    const redis = await ctx.startRedis()
    const a = await ctx.server('server-a', { REDIS_URL: redis.url })
    const b = await ctx.server('server-b', { REDIS_URL: redis.url })
    const live = () => [a, b].filter((s) => s.pid).map((s) => ({ host: '127.0.0.1', port: s.port }))
    const proxy = await ctx.proxy(live)
    await ctx.createWorld(a.url, GUESTS)
    // Round-robin through the proxy: the clients' connections spread over both instances.
    const clients = await clientsOf(ctx, () => proxy.url)
    ctx.markStart()
    const start = Date.now()
    const traffic = ctx.traffic(clients, { durationMs: 18_000, intervalMs: 250, editEvery: 12 })
    await at(ctx, start, 4000)
    ctx.fault('SIGKILL server-b')
    await b.kill()
    await at(ctx, start, 7000)
    ctx.fault('redis-cli shutdown (Redis down)')
    await redis.shutdown()
    await sleep(3000)
    ctx.fault('redis-server started again')
    await redis.start()
    await at(ctx, start, 12_000)
    ctx.fault('restart server-b')
    await b.start()
    await traffic
    return { restBase: () => (a.pid ? a.url : b.url), extra: { proxyConnections: proxy.connections } }
  },
}

const slowConsumer: Scenario = {
  name: 'slow-consumer',
  title: 'a client process SIGSTOPped while 1,000 messages flow, then SIGCONT',
  timeLimitMs: 210_000,
  async run(ctx) {
    await ctx.database()
    const server = await ctx.server('server')
    const world = await ctx.createWorld(server.url, GUESTS)
    // Guest 0 is the slow consumer, in a process of its own; the others send in the lobby and read.
    const guest = world.guests[0]!
    const slow = new RemoteClient({
      name: guest.name,
      user: guest.user,
      token: guest.token,
      baseUrl: server.url,
      conversations: conversationsOf(world, guest.user.id),
    })
    ctx.remotes.push(slow)
    await slow.start()
    const clients: ChaosClient[] = []
    for (let i = 1; i < GUESTS; i++) clients.push(await ctx.client(i, server.url))
    const lobby = () => [world.lobbyId]
    const filler = 'x'.repeat(600)

    ctx.markStart()
    const beforeStart = Date.now()
    await ctx.traffic(clients, { count: 200, intervalMs: 400, conversations: lobby, filler, label: 'before' })
    await sleep(1500)
    const rssBefore = await server.rss()
    ctx.fault(`SIGSTOP the slow consumer (pid ${slow.pid})`)
    slow.pause()
    const duringStart = Date.now()
    let rssPeak = rssBefore ?? 0
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        rssPeak = Math.max(rssPeak, (await server.rss()) ?? 0)
        await sleep(250)
      }
    })()
    const sentDuring = await ctx.traffic(clients, {
      count: 1000,
      intervalMs: 400,
      conversations: lobby,
      filler,
      label: 'during',
    })
    await sleep(1000)
    const duringEnd = Date.now()
    ctx.fault('SIGCONT the slow consumer')
    slow.resume()
    await sleep(5000)
    sampling = false
    await sampler
    const rssAfter = await server.rss()
    const slowState = await slow.state()
    const before = ctx.latency((s) => s.queuedAt >= beforeStart && s.queuedAt < duringStart)
    const during = ctx.latency((s) => s.queuedAt >= duringStart && s.queuedAt < duringEnd)
    const mb = (n: number | undefined) => (n === undefined ? null : Math.round((n / 1048576) * 10) / 10)
    const failures: string[] = []
    // Bounded: what the stopped client did not read must not pile up without limit in the server.
    if (rssBefore && rssPeak - rssBefore > 256 * 1048576)
      failures.push(`server RSS grew by ${mb(rssPeak - rssBefore)} MiB while one client was stopped`)
    if (sentDuring < 1000)
      failures.push(`only ${sentDuring} of 1000 messages were queued while it was stopped`)
    return {
      restBase: () => server.url,
      failures,
      extra: {
        messagesWhileStopped: sentDuring,
        otherClientsLatencyBefore: before,
        otherClientsLatencyDuring: during,
        serverRssMiB: { before: mb(rssBefore), peakWhileStopped: mb(rssPeak), after: mb(rssAfter) },
        stoppedForMs: duringEnd - duringStart,
        // The server drops a socket that answers no ping for pingInterval + pingTimeout (45 s): the
        // consumer then reconnects and resyncs, or reloads its latest page when too far behind.
        slowConsumerSocketDrops: slowState.drops,
        slowConsumerPageReloads: slowState.pageLoads - slow.spec.conversations.length,
      },
    }
  },
}

const offlineRestart: Scenario = {
  name: 'offline-restart',
  title: 'clients go offline, queue messages, restart their process while offline, come back',
  timeLimitMs: 180_000,
  async run(ctx) {
    await ctx.database()
    const server = await ctx.server('server')
    await ctx.createWorld(server.url, GUESTS)
    // Guests 0..2 reach the server through a proxy that the scenario takes down: their network.
    const proxy = await ctx.proxy(() => [{ host: '127.0.0.1', port: server.port }])
    const offline = [0, 1, 2]
    const clients = await clientsOf(ctx, (i) => (offline.includes(i) ? proxy.url : server.url))
    const group = offline.map((i) => clients[i]!)
    ctx.markStart()
    const start = Date.now()
    const traffic = ctx.traffic(clients, { durationMs: 19_000, intervalMs: 250, editEvery: 12 })
    await at(ctx, start, 3000)
    ctx.fault('guests g0-g2 offline: navigator.onLine false, every connection reset and refused')
    for (const c of group) c.network.set(false)
    proxy.setMode('refuse')
    proxy.cut()
    await at(ctx, start, 7000)
    ctx.fault('guests g0-g2 restart their process while offline (same IndexedDB)')
    const queuedOffline = group.map((c) => c.snapshot()?.outboxSize ?? 0)
    await Promise.all(
      group.map(async (c) => {
        c.network.set(false)
        await c.restart()
        c.network.set(false)
      }),
    )
    // A fresh instance starts from navigator.onLine: keep it false.
    for (const c of group) c.network.set(false)
    await at(ctx, start, 15_000)
    const queuedAtReconnect = group.map((c) => c.snapshot()?.outboxSize ?? 0)
    ctx.fault('guests g0-g2 back online')
    proxy.setMode('pass')
    for (const c of group) c.network.set(true)
    await traffic
    return {
      restBase: () => server.url,
      extra: {
        outboxWhenRestarted: queuedOffline,
        outboxWhenBackOnline: queuedAtReconnect,
      },
    }
  },
}

const network: Scenario = {
  name: 'network-proxy',
  title: 'network delays, cuts and a black hole through our TCP proxy; clients restarted mid-flight',
  timeLimitMs: 210_000,
  async run(ctx) {
    await ctx.database()
    const server = await ctx.server('server')
    await ctx.createWorld(server.url, GUESTS)
    const proxy = await ctx.proxy(() => [{ host: '127.0.0.1', port: server.port }])
    const clients = await clientsOf(ctx, () => proxy.url)
    ctx.markStart()
    const start = Date.now()
    const traffic = ctx.traffic(clients, { durationMs: 22_000, intervalMs: 250, editEvery: 12 })
    await at(ctx, start, 2000)
    ctx.fault('delay 300 ms each way')
    proxy.delayMs = 300
    await at(ctx, start, 6000)
    proxy.delayMs = 0
    for (let i = 0; i < 3; i++) {
      await at(ctx, start, 6000 + i * 1500)
      ctx.fault('cut every connection')
      proxy.cut()
    }
    await at(ctx, start, 11_000)
    ctx.fault('black hole: bytes held, not forwarded, for 6 s (past the 3 s ack timeout)')
    proxy.setMode('stall')
    await at(ctx, start, 13_000)
    ctx.fault('g0 and g1 restart their process with sends in flight')
    // Their first fetches hang in the black hole too: not awaited until it ends.
    const restarting = Promise.all([clients[0]!.restart(), clients[1]!.restart()])
    await at(ctx, start, 17_000)
    ctx.fault('black hole ends: held bytes delivered')
    proxy.setMode('pass')
    await restarting
    await at(ctx, start, 18_000)
    ctx.fault('delay 150 ms and a cut')
    proxy.delayMs = 150
    proxy.cut()
    await at(ctx, start, 20_000)
    proxy.delayMs = 0
    await traffic
    return { restBase: () => server.url, extra: { proxyConnections: proxy.connections } }
  },
}

export const SCENARIOS: Scenario[] = [
  serverKill,
  serverTerm,
  postgresDown,
  cluster,
  slowConsumer,
  offlineRestart,
  network,
]
