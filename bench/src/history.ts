// Scenario 3: history reads from a conversation of many messages: alone, under a paced REST load, and under
// autocannon's bursts of the same rate.
// Client time over keep-alive loopback, and server time from Fastify's own log (responseTime of each request).
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { newHistogram, type Percentiles, percentiles } from './hist.ts'
import { loadAverage } from './proc.ts'
import { seedMessages } from './seed.ts'
import { api, type Guest, get } from './setup.ts'
import type { Workers } from './workers.ts'

export interface HistoryCase {
  name: string
  path: string
  /** Under the paced background load. */
  client: Percentiles
  server: Percentiles | null
  /** The same reads with no background load: what the read itself costs, without queueing behind others. */
  quiet?: { client: Percentiles; server: Percentiles | null }
  /** The same reads under autocannon's bursts of the same rate. */
  burst?: { client: Percentiles; server: Percentiles | null }
}

export interface RestLoadResult {
  rate: number
  requests: number
  non2xx: number
  errors: number
  p99: number
}

export interface HistoryResult {
  messages: number
  seedSeconds: number
  /** Paced: one request every 1000/rate ms. */
  restLoad: RestLoadResult
  /** autocannon at the same rate, which it sends in bursts at the start of each second (8 connections). */
  burstLoad?: RestLoadResult
  samples: number
  cases: HistoryCase[]
  load1: number
}

/** Seeds `count` messages straight into Postgres, with seq/rev and the conversation's counters consistent. */
export function seedConversation(
  databaseUrl: string,
  conversationId: string,
  senders: string[],
  count: number,
) {
  return seedMessages(databaseUrl, {
    conversationId,
    senders,
    count,
    clientPrefix: 'seed-',
    content: `'seeded message number ' || i`,
  })
}

/** responseTime (ms) of each logged request whose URL matches, from the log written from `offset` to `end`. */
export function serverTimes(
  logFile: string,
  offset: number,
  match: (url: string) => boolean,
  end = statSync(logFile).size,
): number[] {
  const buf = Buffer.alloc(end - offset)
  const fd = openSync(logFile, 'r')
  readSync(fd, buf, 0, buf.length, offset)
  closeSync(fd)
  const urls = new Map<string, string>()
  const times: number[] = []
  for (const line of buf.toString('utf8').split('\n')) {
    if (!line.startsWith('{')) continue
    let entry: any
    try {
      entry = JSON.parse(line)
    } catch {
      continue
    }
    if (entry.req?.url) urls.set(entry.reqId, entry.req.url)
    if (entry.responseTime !== undefined) {
      const url = urls.get(entry.reqId)
      if (url && match(url)) times.push(entry.responseTime)
    }
  }
  return times
}

export async function runHistory(o: {
  url: string
  logFile: string
  databaseUrl: string
  owner: Guest
  other: Guest
  messages: number
  samples: number
  restRate: number
  workers: Workers
  log: (line: string) => void
}): Promise<HistoryResult> {
  const conv = await api(o.url, 'POST', '/api/chat/conversations', o.owner.token, {
    kind: 'group',
    title: 'history bench',
    userIds: [o.other.userId],
  })
  const seedSeconds = await seedConversation(
    o.databaseUrl,
    conv.id,
    [o.owner.userId, o.other.userId],
    o.messages,
  )
  o.log(`  seeded ${o.messages} messages in ${seedSeconds.toFixed(1)} s`)
  const base = `/api/chat/conversations/${conv.id}/messages`
  const n = o.messages
  // The background load reads pages of 20 all over the conversation; the measured reads take 50.
  const loadPaths = Array.from({ length: 500 }, (_, i) =>
    i % 2
      ? `${base}?beforeSeq=${1 + Math.floor(Math.random() * n)}&limit=20`
      : `${base}?sinceRev=${Math.floor(Math.random() * n)}&limit=20`,
  )
  const cases = [
    { name: 'latest page (50)', path: `${base}?limit=50` },
    { name: 'page deep in history (50, beforeSeq)', path: `${base}?beforeSeq=${Math.floor(n / 2)}&limit=50` },
    { name: 'sinceRev sync (last 50 changes)', path: `${base}?sinceRev=${n - 50}&limit=50` },
  ]
  // The measured reads are probes, one every 15 ms, not a second load as fast as the server answers: the
  // background load is the paced one.
  const PROBE_MS = 15
  /** Each case `samples` times, interleaved (so each sees the same conditions): client times per case. */
  async function read(samples: number) {
    const clientTimes = cases.map(() => newHistogram())
    const start = performance.now()
    for (let s = 0; s < samples; s++) {
      for (const [k, c] of cases.entries()) {
        const due = start + (s * cases.length + k) * PROBE_MS
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())))
        const t0 = performance.now()
        const res = await get(`${o.url}${c.path}`, o.owner.token)
        if (res.status !== 200 || (JSON.parse(res.body) as { messages: unknown[] }).messages.length !== 50)
          throw new Error(`history read ${c.path} → ${res.status}`)
        clientTimes[k]!.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)))
      }
    }
    return clientTimes
  }
  const serverPercentiles = (path: string, from: number, to?: number) => {
    const times = serverTimes(o.logFile, from, (u) => u === path, to)
    const h = newHistogram()
    for (const t of times) h.recordValue(Math.max(1, Math.round(t * 1000)))
    return times.length > 0 ? percentiles(h) : null
  }

  /** Random pages read by a worker, as the other guest, at `rate` requests a second. */
  const backgroundReads = (
    type: 'rest-paced' | 'rest-load',
    rate: number,
    durationMs: number,
    connections: number,
  ) =>
    o.workers.one(0, {
      type,
      url: o.url,
      token: o.other.token,
      paths: loadPaths,
      rate,
      durationMs,
      connections,
    })

  /** The reads under a background load run by a worker: client times, and where the server log starts. */
  async function underLoad(type: 'rest-paced' | 'rest-load') {
    const offset = statSync(o.logFile).size
    const loadRun = backgroundReads(
      type,
      o.restRate,
      Math.max(5000, o.samples * cases.length * PROBE_MS + 1000),
      8,
    )
    await new Promise((r) => setTimeout(r, 500))
    const clientTimes = await read(o.samples)
    const load = await loadRun
    await new Promise((r) => setTimeout(r, 300))
    const restLoad: RestLoadResult = {
      rate: o.restRate,
      requests: load.requests,
      non2xx: load.non2xx,
      errors: load.errors,
      p99: load.latencyP99,
    }
    return { clientTimes, offset, to: statSync(o.logFile).size, restLoad }
  }

  // A warm-up, not measured: the server's code paths and all of its pooled database connections, as in
  // service. Without it the first seconds of the paced load paid for opening connections: the slowest reads.
  await backgroundReads('rest-load', 400, 3000, 10)
  // First alone, then under the paced load, then under autocannon's bursts.
  const quietFrom = statSync(o.logFile).size
  const quietTimes = await read(Math.min(o.samples, 100))
  await new Promise((r) => setTimeout(r, 300))
  const quietTo = statSync(o.logFile).size
  const load1 = loadAverage().load1
  const paced = await underLoad('rest-paced')
  const burst = await underLoad('rest-load')
  const result: HistoryResult = {
    messages: n,
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    restLoad: paced.restLoad,
    burstLoad: burst.restLoad,
    samples: o.samples,
    load1,
    cases: cases.map((c, k) => ({
      name: c.name,
      path: c.path.replace(conv.id, ':id'),
      client: percentiles(paced.clientTimes[k]!),
      server: serverPercentiles(c.path, paced.offset, paced.to),
      quiet: { client: percentiles(quietTimes[k]!), server: serverPercentiles(c.path, quietFrom, quietTo) },
      burst: {
        client: percentiles(burst.clientTimes[k]!),
        server: serverPercentiles(c.path, burst.offset, burst.to),
      },
    })),
  }
  for (const c of result.cases)
    o.log(
      `  ${c.name}: server p50 ${c.server?.p50 ?? 'n/a'} p99 ${c.server?.p99 ?? 'n/a'} ms; client p50 ${c.client.p50} p99 ${c.client.p99} ms; ` +
        `alone: server p50 ${c.quiet?.server?.p50 ?? 'n/a'} p99 ${c.quiet?.server?.p99 ?? 'n/a'} ms; ` +
        `bursts: server p50 ${c.burst?.server?.p50 ?? 'n/a'} p99 ${c.burst?.server?.p99 ?? 'n/a'} ms`,
    )
  for (const [name, load] of [
    ['paced', paced.restLoad],
    ['autocannon', burst.restLoad],
  ] as const)
    o.log(
      `  ${name} background load: ${load.requests} requests at ${load.rate}/s, p99 ${load.p99} ms, non-2xx ${load.non2xx}`,
    )
  return result
}
