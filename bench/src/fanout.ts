// Scenario 1: clients in conversations of `roomSize`, one paced send rate after another, until p99
// delivery passes the threshold or anything is lost. Also used for the two-node run (scenario 4).

import type { Protocol } from './clients.ts'
import { merge, type Percentiles, percentiles } from './hist.ts'
import {
  cpuPercent,
  cpuPercentEach,
  loadAverage,
  machineBusyPct,
  machineSample,
  machineStealPct,
  sample,
  sampleEach,
} from './proc.ts'
import type { ClientSpec } from './worker.ts'
import type { Workers } from './workers.ts'

export const P99_LIMIT_MS = 50
/** A load-generator process over this share of a core, or with event-loop delay p99 over this, may be what limits a step. */
export const GENERATOR_CPU_LIMIT_PCT = 70
export const GENERATOR_LAG_LIMIT_MS = 10
/**
 * A step whose machine lost this share of all cores to the hypervisor (steal) measured the host's other
 * guests: when it fails it is tried again, up to MAX_STOLEN_TRIES times, besides the usual one retry.
 */
export const STEAL_LIMIT_PCT = 5
const MAX_STOLEN_TRIES = 3
/** Rates are extended (×1.5) until a target fails, up to this. */
const MAX_EXTENDED_RATE = 50_000

export interface StepResult {
  rate: number
  sent: number
  acked: number
  failed: number
  expected: number
  delivered: number
  lost: number
  dups: number
  late: number
  ack: Percentiles
  delivery: Percentiles
  deliveriesPerSec: number
  serverCpuPct: number
  dbCpuPct: number | null
  serverRssMb: number
  /** How late the generator's sends went out, p99 (pacing). */
  generatorLagP99Ms: number
  /** Each load-generator process: its CPU in percent of one core, and its event-loop delay p99, while sending. */
  generator: { cpuPct: number[]; loopDelayP99Ms: number[]; saturated: boolean }
  /** The whole machine, percent of all cores. */
  machineBusyPct: number
  /** Time the hypervisor gave to other guests, percent of all cores: the host, not this machine, was full. */
  machineStealPct: number
  /** Refused tries (UNAVAILABLE / RATE_LIMITED) and how many messages were refused at least once (retry steps). */
  refusals: number
  refusedMessages: number
  /** Secura Chat's own count of the sends admission control refused in the step, by the bound that refused them. */
  refusedBy?: Record<string, number>
  /** Delivery of the messages stored at a later try, timed from their first schedule. */
  retried: Percentiles
  errors: Record<string, number>
  load1: number
  ok: boolean
}

export interface FanoutResult {
  target: string
  roomSize: number
  clients: number
  connected: number
  connect: Percentiles & { perSec: number; errors: Record<string, number> }
  steps: StepResult[]
  /** Load-generator processes used. */
  workers: number
  /** The step at `overloadFactor` × the sustained rate, refused sends retried as an outbox does. */
  overload?: StepResult & { factor: number }
  /** Highest step with p99 delivery under the limit, no loss, no duplicate, no failed send. */
  sustained: { rate: number; deliveryP99: number; ackP99: number } | null
}

export interface FanoutOptions {
  target: string
  protocol: Protocol
  serverPid: number
  dbPids?: () => Promise<number[]>
  clients: ClientSpec[]
  convSizes: Record<string, number>
  rates: number[]
  stepMs: number
  workers: Workers
  log: (line: string) => void
  /** After the last rate, go on (×1.5) while steps pass, so the curve ends in a failure. */
  extend?: boolean
  /** After the curve, one step at this multiple of the sustained rate with retries (admission control). */
  overloadFactor?: number
  /** The server's running count of refused sends by reason (Secura Chat's metrics), read before and after each step. */
  refusedBy?: () => Promise<Record<string, number>>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const clock = () => performance.timeOrigin + performance.now()

export async function connectClients(workers: Workers, protocol: Protocol, clients: ClientSpec[]) {
  const t0 = performance.now()
  const results = await workers.all((i) => ({
    type: 'connect',
    protocol,
    clients: clients.filter((_, k) => k % workers.size === i),
    concurrency: 50,
  }))
  const elapsed = (performance.now() - t0) / 1000
  const errors: Record<string, number> = {}
  for (const r of results)
    for (const [k, v] of Object.entries(r.errors as Record<string, number>)) errors[k] = (errors[k] ?? 0) + v
  const connected = results.reduce((a, r) => a + r.connected, 0)
  const joinFailed = results.reduce((a, r) => a + r.joinFailed, 0)
  const connectMs = Math.max(...results.map((r) => r.connectMs))
  return {
    connected,
    joinFailed,
    connect: {
      ...percentiles(merge(results.map((r) => r.connectHist))),
      perSec: Math.round(connected / (connectMs / 1000)),
      errors,
    },
    elapsed,
  }
}

export async function runFanout(o: FanoutOptions): Promise<FanoutResult> {
  const roomSize = Math.max(...Object.values(o.convSizes))
  const c = await connectClients(o.workers, o.protocol, o.clients)
  o.log(
    `  ${o.target}: ${c.connected}/${o.clients.length} connected (${c.connect.perSec}/s, p99 ${c.connect.p99} ms)`,
  )
  const result: FanoutResult = {
    target: o.target,
    roomSize,
    clients: o.clients.length,
    connected: c.connected,
    connect: c.connect,
    steps: [],
    workers: o.workers.size,
    sustained: null,
  }
  if (c.connected < o.clients.length || c.joinFailed > 0) {
    o.log(`  ${o.target}: connection or join failures ${JSON.stringify(c.connect.errors)}`)
    await o.workers.all(() => ({ type: 'close' }))
    return result
  }
  // Let the server finish what connecting set off (presence, join announcements) before the first step.
  for (let i = 0; i < (o.stepMs < 3000 ? 5 : 20); i++) {
    const a = sample(o.serverPid)
    await sleep(1000)
    const b = sample(o.serverPid)
    if (!a || !b || cpuPercent(a, b) < 15) break
  }
  const queue = [...o.rates]
  let retried = -1
  const stolen = new Map<number, number>()
  while (queue.length > 0) {
    const rate = queue.shift()!
    const step = await measureStep(o, rate)
    result.steps.push(step)
    if (!step.ok) {
      // One retry of a failed step: the machine is shared, and one stall should not end the curve. A try
      // the hypervisor took time from (steal) measured the host's other guests: it does not count.
      if (step.machineStealPct < STEAL_LIMIT_PCT || stolen.get(rate) === MAX_STOLEN_TRIES) {
        if (retried === rate) break
        retried = rate
      } else stolen.set(rate, (stolen.get(rate) ?? 0) + 1)
      queue.unshift(rate)
      await sleep(2000)
      continue
    }
    result.sustained = { rate, deliveryP99: step.delivery.p99, ackP99: step.ack.p99 }
    if (o.extend && queue.length === 0 && rate < MAX_EXTENDED_RATE)
      queue.push(Math.min(MAX_EXTENDED_RATE, Math.round((rate * 1.5) / 100) * 100))
    await sleep(500)
  }
  if (o.overloadFactor && result.sustained) {
    await sleep(o.stepMs < 3000 ? 1000 : 2000)
    const rate = Math.round(result.sustained.rate * o.overloadFactor)
    result.overload = { ...(await measureStep(o, rate, true)), factor: o.overloadFactor }
  }
  await o.workers.all(() => ({ type: 'close' }))
  await sleep(500)
  return result
}

/** One paced step at `rate`; with `retry`, refused sends are tried again (same clientMessageId) until stored. */
async function measureStep(o: FanoutOptions, rate: number, retry = false): Promise<StepResult> {
  const stepId = Math.random().toString(36).slice(2, 8)
  const dbPids = o.dbPids ? await o.dbPids() : []
  const load1 = loadAverage().load1
  const startAt = clock() + 300
  const before = sample(o.serverPid)
  const dbBefore = sampleEach(dbPids)
  const machineBefore = machineSample()
  const refusedBefore = await o.refusedBy?.()
  const sends = await o.workers.all(() => ({
    type: 'step',
    stepId,
    rate: rate / o.workers.size,
    durationMs: o.stepMs,
    startAt,
    convSizes: o.convSizes,
    ...(retry && { retryForMs: 20_000 }),
  }))
  const after = sample(o.serverPid)
  const dbAfter = sampleEach(dbPids)
  const machineAfter = machineSample()
  const busy = machineBusyPct(machineBefore, machineAfter)
  const steal = machineStealPct(machineBefore, machineAfter)
  const expected = sends.reduce((a, s) => a + s.expected, 0)
  // Wait for the deliveries still in flight: until every expected one arrived, or 5 s.
  const deadline = performance.now() + 5000
  while (performance.now() < deadline) {
    const counts = await o.workers.all(() => ({ type: 'count' }))
    if (counts.reduce((a, x) => a + x.delivered, 0) >= expected) break
    await sleep(100)
  }
  const got = await o.workers.all(() => ({ type: 'collect' }))
  const refusedAfter = await o.refusedBy?.()
  const errors: Record<string, number> = {}
  for (const s of sends)
    for (const [k, v] of Object.entries(s.errors as Record<string, number>)) errors[k] = (errors[k] ?? 0) + v
  const delivered = got.reduce((a, g) => a + g.delivered, 0)
  const sum = (key: string) => sends.reduce((a, s) => a + (s[key] as number), 0)
  const cpuPct = sends.map((s) => s.cpuPct as number)
  const loopDelayP99Ms = sends.map((s) => s.loopDelayP99Ms as number)
  const step: StepResult = {
    rate,
    sent: sum('sent'),
    acked: sum('acked'),
    failed: sum('failed'),
    expected,
    delivered,
    lost: Math.max(0, expected - delivered),
    dups: got.reduce((a, g) => a + g.dups, 0),
    late: got.reduce((a, g) => a + g.late, 0),
    ack: percentiles(merge(sends.map((s) => s.ackHist))),
    delivery: percentiles(merge(got.map((g) => g.deliveryHist))),
    retried: percentiles(merge(got.map((g) => g.retriedHist))),
    refusals: sum('refusals'),
    refusedMessages: sum('refusedMessages'),
    deliveriesPerSec: Math.round(delivered / (o.stepMs / 1000)),
    serverCpuPct: before && after ? cpuPercent(before, after) : 0,
    dbCpuPct: dbPids.length > 0 ? cpuPercentEach(dbBefore, dbAfter) : null,
    serverRssMb: after ? Math.round(after.rss / 1048576) : 0,
    generatorLagP99Ms: Math.max(...sends.map((s) => s.lagP99Ms)),
    generator: {
      cpuPct,
      loopDelayP99Ms,
      saturated:
        Math.max(...cpuPct) > GENERATOR_CPU_LIMIT_PCT || Math.max(...loopDelayP99Ms) > GENERATOR_LAG_LIMIT_MS,
    },
    machineBusyPct: busy,
    machineStealPct: steal,
    errors,
    load1,
    ok: false,
  }
  if (refusedBefore && refusedAfter) {
    const by = Object.entries(refusedAfter)
      .map(([reason, n]) => [reason, n - (refusedBefore[reason] ?? 0)] as const)
      .filter(([, n]) => n > 0)
    if (by.length > 0) step.refusedBy = Object.fromEntries(by)
  }
  step.ok =
    step.failed === 0 &&
    step.lost === 0 &&
    step.dups === 0 &&
    step.delivery.p99 < P99_LIMIT_MS &&
    step.acked === step.sent
  const refusedBy = step.refusedBy
    ? ` (refused by ${Object.entries(step.refusedBy)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ')})`
    : ''
  const gen = `gen cpu ${cpuPct.join('/')}% lag p99 ${Math.max(...loopDelayP99Ms)} ms${step.generator.saturated ? ' (saturated)' : ''}`
  o.log(
    `  ${o.target} rooms of ${Math.max(...Object.values(o.convSizes))} @ ${rate}/s${retry ? ' (overload, retries)' : ''}: ` +
      `delivery p50 ${step.delivery.p50} p99 ${step.delivery.p99} ms, ack p99 ${step.ack.p99} ms, lost ${step.lost}, ` +
      `dups ${step.dups}, failed ${step.failed}${refusedBy}${retry ? `, refused ${step.refusedMessages} (${step.refusals} tries), retried p99 ${step.retried.p99} ms` : ''}, ` +
      `cpu ${step.serverCpuPct}%${step.dbCpuPct !== null ? ` (+db ${step.dbCpuPct}%)` : ''}, ${gen}, machine ${busy}%${steal >= STEAL_LIMIT_PCT ? ` (steal ${steal}%)` : ''}, load ${load1}` +
      `${step.ok || retry ? '' : '  ✗'}`,
  )
  return step
}
