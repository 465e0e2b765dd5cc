// A load-generator process: holds a share of the clients, sends at a paced rate and records latencies.
// Commands come from the coordinator over IPC; every reply carries the command's id.
// Timestamps are wall-clock milliseconds from performance.timeOrigin + performance.now(), a clock all
// processes on the machine share, so a delivery seen here can be timed against a send made elsewhere.
import { randomUUID } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ApiError, defaultRetryPolicy, retryDelay } from '@secura/chat-client'
import autocannon from 'autocannon'
import { type BenchClient, createClient, type Protocol } from './clients.ts'
import { encode, newHistogram, percentiles } from './hist.ts'
import { get } from './setup.ts'

const clock = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
const PAD = 'x'.repeat(48)

export interface ClientSpec {
  idx: number
  url: string
  token?: string
  convs: string[]
}

interface Local {
  spec: ClientSpec
  client: BenchClient
}

let clients: Local[] = []
let stepId = ''
let deliveryHist = newHistogram()
/** Deliveries of messages refused at first and stored on a later try, timed from their first schedule. */
let retriedHist = newHistogram()
let seen = new Set<string>()
let delivered = 0
let dups = 0
let late = 0

function onMessage(receiver: number, content: string) {
  const parts = content.split('|')
  if (parts[0] !== stepId) {
    late++
    return
  }
  const key = `${receiver}|${parts[1]}|${parts[2]}`
  if (seen.has(key)) {
    dups++
    return
  }
  seen.add(key)
  delivered++
  // parts[4] is the try that was stored: 0 unless the message was refused first.
  const hist = parts[4] === '0' ? deliveryHist : retriedHist
  hist.recordValue(Math.max(1, Math.round((clock() - Number(parts[3])) * 1000)))
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const count = (errors: Record<string, number>, code: string) => {
  errors[code] = (errors[code] ?? 0) + 1
}

async function connect(cmd: { protocol: Protocol; clients: ClientSpec[]; concurrency: number }) {
  const hist = newHistogram()
  const errors: Record<string, number> = {}
  const started = clock()
  let connected = 0
  let joinFailed = 0
  await pool(cmd.clients, cmd.concurrency, async (spec) => {
    const client = createClient(cmd.protocol, spec.url, spec.token, (c) => onMessage(spec.idx, c))
    const t0 = clock()
    try {
      await client.connect()
      hist.recordValue(Math.max(1, Math.round((clock() - t0) * 1000)))
      connected++
      clients.push({ spec, client })
    } catch (e) {
      count(errors, (e as Error).message || 'CONNECT_FAILED')
      client.close()
    }
  })
  const connectMs = clock() - started
  await pool(clients, cmd.concurrency, async ({ spec, client }) => {
    for (const conv of spec.convs) {
      const ack = await client.join(conv)
      if (!ack.ok) {
        joinFailed++
        count(errors, `join:${ack.code}`)
      }
    }
  })
  return {
    connected,
    failed: cmd.clients.length - connected,
    joinFailed,
    errors,
    connectMs,
    connectHist: encode(hist),
  }
}

const LOOP_RESOLUTION_MS = 5
/**
 * Asked to wait (admission control, rate limit): the message is tried again when the chat client's outbox
 * would try it (its own `retryDelay`: a backoff from 1 s doubling per try, never sooner than retryAfterMs).
 */
const RETRYABLE = new Set(['UNAVAILABLE', 'RATE_LIMITED'])

async function step(cmd: {
  stepId: string
  rate: number
  durationMs: number
  startAt: number
  convSizes: Record<string, number>
  /** Retry refused sends as the outbox does (same clientMessageId, its backoff) until this long after the step. */
  retryForMs?: number
}) {
  stepId = cmd.stepId
  deliveryHist = newHistogram()
  retriedHist = newHistogram()
  seen = new Set()
  delivered = dups = late = 0
  // Senders in a shuffled order, so consecutive sends spread over the conversations as independent guests'
  // would (in index order, a worker's next five sends would all go to one conversation).
  const senders = shuffled(clients.filter((c) => c.spec.convs.length > 0))
  const ackHist = newHistogram()
  const lagHist = newHistogram()
  const errors: Record<string, number> = {}
  let sent = 0
  let acked = 0
  let failed = 0
  let expected = 0
  let refusals = 0
  let refusedMessages = 0
  const total = Math.floor((cmd.rate * cmd.durationMs) / 1000)
  const interval = 1000 / cmd.rate
  const acks: Promise<void>[] = []
  const retryUntil = cmd.startAt + cmd.durationMs + (cmd.retryForMs ?? 0)

  /** One message, tried until stored, refused for good, or out of time; acks are timed from its schedule. */
  async function deliver(client: BenchClient, conv: string, scheduled: number, body: string) {
    const clientMessageId = randomUUID()
    for (let attempt = 0; ; attempt++) {
      const ack = await client.send(
        conv,
        `${cmd.stepId}|${body}|${scheduled.toFixed(3)}|${attempt}|${PAD}`,
        clientMessageId,
      )
      if (ack.ok) {
        acked++
        expected += cmd.convSizes[conv] ?? 0
        // The ack histogram holds sends accepted at their first try: the latency of what the server takes.
        if (attempt === 0) ackHist.recordValue(Math.max(1, Math.round((clock() - scheduled) * 1000)))
        return
      }
      count(errors, ack.code ?? 'UNKNOWN')
      const wait = retryDelay(
        attempt + 1,
        new ApiError(ack.code as ApiError['code'], 503, 'refused', undefined, ack.retryAfterMs),
        defaultRetryPolicy,
      )
      if (cmd.retryForMs === undefined || !RETRYABLE.has(ack.code ?? '') || clock() + wait > retryUntil) {
        failed++
        return
      }
      refusals++
      if (attempt === 0) refusedMessages++
      await sleep(wait)
    }
  }

  // The generator's own load while it paces: CPU of this process and how late its event loop runs.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  await sleep(cmd.startAt - clock())
  loopDelay.enable()
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  while (sent < total && senders.length > 0) {
    const now = clock()
    const due = Math.min(total, Math.floor((now - cmd.startAt) / interval) + 1)
    while (sent < due) {
      const n = sent++
      const scheduled = cmd.startAt + n * interval
      const { spec, client } = senders[n % senders.length]!
      lagHist.recordValue(Math.max(1, Math.round((now - scheduled) * 1000)))
      // Latency counts from the scheduled time, so a generator that falls behind shows (no coordinated omission).
      acks.push(deliver(client, spec.convs[0]!, scheduled, `${spec.idx}|${n}`))
    }
    await sleep(Math.min(interval, 2))
  }
  const cpu = process.cpuUsage(cpuBefore)
  const wallMs = performance.now() - wallBefore
  loopDelay.disable()
  await Promise.all(acks)
  return {
    sent,
    acked,
    failed,
    expected,
    errors,
    refusals,
    refusedMessages,
    ackHist: encode(ackHist),
    lagP99Ms: lagHist.getValueAtPercentile(99) / 1000,
    cpuPct: wallMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10 : 0,
    // The histogram holds whole timer intervals (nanoseconds): what is beyond the interval is the delay.
    loopDelayP99Ms: Math.max(0, Math.round(loopDelay.percentile(99) / 1e4 - LOOP_RESOLUTION_MS * 100) / 100),
  }
}

function collect() {
  const result = {
    delivered,
    dups,
    late,
    deliveryHist: encode(deliveryHist),
    retriedHist: encode(retriedHist),
  }
  seen = new Set()
  deliveryHist = newHistogram()
  retriedHist = newHistogram()
  stepId = ''
  return result
}

interface RestLoad {
  url: string
  token: string
  paths: string[]
  rate: number
  durationMs: number
}

/**
 * REST reads at an even pace: one every 1000/rate ms, on schedule whatever the answers take (open loop), each
 * timed from when it was due. autocannon's rate mode is not paced: each connection sends its quota for the
 * second as fast as it can, then waits for the next second.
 */
async function pacedLoad(cmd: RestLoad) {
  const hist = newHistogram()
  const interval = 1000 / cmd.rate
  const count = Math.floor(cmd.durationMs / interval)
  const start = performance.now()
  let non2xx = 0
  let errors = 0
  const inFlight: Promise<void>[] = []
  for (let k = 0; k < count; k++) {
    const due = start + k * interval
    await sleep(due - performance.now())
    const path = cmd.paths[k % cmd.paths.length]!
    inFlight.push(
      get(`${cmd.url}${path}`, cmd.token)
        .then((res) => {
          if (res.status >= 300) non2xx++
          hist.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)))
        })
        .catch(() => {
          errors++
        }),
    )
  }
  await Promise.all(inFlight)
  const { p50, p99 } = percentiles(hist)
  return { requests: count, non2xx, errors, latencyP50: p50, latencyP99: p99 }
}

async function restLoad(cmd: RestLoad & { connections: number }) {
  let i = 0
  const result = await autocannon({
    url: cmd.url,
    connections: cmd.connections,
    overallRate: cmd.rate,
    duration: cmd.durationMs / 1000,
    headers: { authorization: `Bearer ${cmd.token}` },
    requests: [{ setupRequest: (req: any) => ({ ...req, path: cmd.paths[i++ % cmd.paths.length] }) }],
  })
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  }
}

process.on('message', async (msg: any) => {
  let result: unknown
  try {
    switch (msg.type) {
      case 'connect':
        result = await connect(msg)
        break
      case 'step':
        result = await step(msg)
        break
      case 'count':
        result = { delivered, dups }
        break
      case 'collect':
        result = collect()
        break
      case 'close':
        for (const c of clients) c.client.close()
        result = { closed: clients.length }
        clients = []
        break
      case 'rest-load':
        result = await restLoad(msg)
        break
      case 'rest-paced':
        result = await pacedLoad(msg)
        break
      case 'exit':
        process.exit(0)
        break
      default:
        throw new Error(`unknown command ${msg.type}`)
    }
    process.send?.({ id: msg.id, ok: true, result })
  } catch (error) {
    process.send?.({ id: msg.id, ok: false, error: String((error as Error)?.stack ?? error) })
  }
})
process.on('disconnect', () => process.exit(0))
