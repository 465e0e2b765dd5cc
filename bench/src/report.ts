// The run's figures as Markdown (ratios to the baselines of the same run) and an SVG chart of p99
// delivery latency against send rate, ours and both baselines, one panel per room size.
import type { Calibration } from './calibrate.ts'
import type { CapacityResult } from './capacity.ts'
import { type FanoutResult, GENERATOR_CPU_LIMIT_PCT, GENERATOR_LAG_LIMIT_MS } from './fanout.ts'
import type { HistoryResult } from './history.ts'
import type { SearchResult } from './search.ts'

export interface RunResult {
  date: string
  mode: 'full' | 'quick'
  machine: { cpu: string; cores: number; memGb: number; node: string; postgres: string }
  conditions: {
    loadBefore: number[]
    loadAfter: number[]
    workers: number
    stepSeconds: number
    note: string
  }
  limits: Record<string, string>
  setup: { guests: number; joinsPerSec: number } | null
  fanout: FanoutResult[]
  /** Per room size: bare socket.io with more generator processes, until the generator was not what limited it. */
  calibration: Calibration[]
  capacity: CapacityResult[]
  history: HistoryResult | null
  search?: SearchResult | null
  cluster: { skipped?: string; fanout?: FanoutResult } | null
  /** Secura Chat's fan-out under other server settings (`--variants`), in rounds. */
  variants: { name: string; env: Record<string, string>; round: number; fanout: FanoutResult }[]
  problems: string[]
}

const NAMES: Record<string, string> = { secura: 'Secura Chat', socketio: 'bare socket.io', ws: 'bare ws' }
const COLORS: Record<string, string> = { secura: '#d62728', socketio: '#1f77b4', ws: '#2ca02c' }
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`
/** One step per rate: a retried step replaces its failed first try. */
const lastPerRate = (f: FanoutResult) => [...new Map(f.steps.map((s) => [s.rate, s])).values()]
const fmt = (v: number | null | undefined, unit = '') => (v == null ? 'n/a' : `${v}${unit}`)

export function markdown(r: RunResult, chartFile: string): string {
  const out: string[] = []
  out.push(`# Secura Chat benchmark — ${r.date} (${r.mode})`, '')
  out.push(
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGb} GB, Node ${r.machine.node}, ${r.machine.postgres}. ` +
      `Load average (1 min) before ${r.conditions.loadBefore[0]}, after ${r.conditions.loadAfter[0]}; ` +
      `${r.conditions.workers} load-generator processes on the same machine${r.calibration.some((c) => c.workers !== r.conditions.workers) ? ' (more in fan-out where bare socket.io needed them: see its table)' : ''}; ` +
      `steps of ${r.conditions.stepSeconds} s. ${r.conditions.note}`,
    '',
  )
  out.push(
    `Secura Chat runs on Postgres with auth, validation and rate limits on; limits raised to fit the load: ${Object.entries(
      r.limits,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    '',
  )
  if (r.setup)
    out.push(
      `Setup: ${r.setup.guests} guests joined through POST /api/auth/join at ${r.setup.joinsPerSec} joins/s.`,
      '',
    )

  out.push('## Fan-out (scenario 1)', '')
  out.push(
    `Sustained rate = the highest step with p99 delivery < 50 ms, nothing lost, duplicated or refused.`,
    '',
  )
  out.push(
    "| rooms of | server | sustained msg/s | deliveries/s | p99 delivery at it | p99 ack at it | Secura ÷ it (rate) | Secura p99 ÷ its p99 at Secura's rate |",
  )
  out.push('|---|---|---|---|---|---|---|---|')
  const sizes = [...new Set(r.fanout.map((f) => f.roomSize))]
  for (const size of sizes) {
    const ours = r.fanout.find((f) => f.target === 'secura' && f.roomSize === size)
    for (const f of r.fanout.filter((x) => x.roomSize === size)) {
      const s = f.sustained
      const atOurs = ours?.sustained
        ? lastPerRate(f).find((st) => st.rate === ours.sustained!.rate)
        : undefined
      const deliveries = s ? lastPerRate(f).find((st) => st.rate === s.rate)?.deliveriesPerSec : undefined
      out.push(
        `| ${size} | ${NAMES[f.target]} | ${fmt(s?.rate)} | ${fmt(deliveries)} | ${fmt(s?.deliveryP99, ' ms')} | ${fmt(s?.ackP99, ' ms')} | ` +
          `${f.target === 'secura' ? '—' : ratio(ours?.sustained?.rate, s?.rate)} | ` +
          `${f.target === 'secura' ? '—' : ratio(ours?.sustained?.deliveryP99, atOurs?.delivery.p99)} |`,
      )
    }
  }
  out.push('', `![p99 delivery latency against send rate](${chartFile})`, '')
  out.push(...fairBaseline(r), ...overload(r))
  out.push('<details><summary>Every step</summary>', '')
  out.push(
    '| rooms | server | gen. procs | msg/s | delivered/s | delivery p50/p95/p99/max ms | ack p50/p99 ms | lost | dups | failed | server CPU % | db CPU % | RSS MB | gen. CPU % each | gen. loop delay p99 ms | gen. pacing lag p99 ms | machine busy % | steal % | load |',
  )
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  for (const f of r.fanout)
    for (const s of f.steps)
      out.push(
        `| ${f.roomSize} | ${f.target} | ${f.workers} | ${s.rate} | ${s.deliveriesPerSec} | ${s.delivery.p50}/${s.delivery.p95}/${s.delivery.p99}/${s.delivery.max} | ` +
          `${s.ack.p50}/${s.ack.p99} | ${s.lost} | ${s.dups} | ${s.failed} | ${s.serverCpuPct} | ${fmt(s.dbCpuPct)} | ${s.serverRssMb} | ` +
          `${s.generator.cpuPct.join(' / ')} | ${Math.max(...s.generator.loopDelayP99Ms)}${s.generator.saturated ? ' (saturated)' : ''} | ${s.generatorLagP99Ms} | ${s.machineBusyPct} | ${s.machineStealPct} | ${s.load1} |`,
      )
  out.push('', '</details>', '')

  out.push('## Idle sockets (scenario 2)', '')
  out.push(
    '| server | sockets | connected | connects/s | connect p99 | RSS / heap in all | RSS/socket | heap/socket | Secura ÷ it (RSS) | Secura ÷ it (heap) |',
  )
  out.push('|---|---|---|---|---|---|---|---|---|---|')
  const ourCap = r.capacity.find((c) => c.target === 'secura')
  for (const c of r.capacity)
    for (const s of c.stages) {
      const o = ourCap?.stages.find((x) => x.sockets === s.sockets)
      out.push(
        `| ${NAMES[c.target]} | ${s.sockets} | ${s.connected} | ${s.connectPerSec} | ${s.connect.p99} ms | ${s.rssMb} / ${fmt(s.heapMb, ' MB')} | ${s.rssPerSocketKb} KB | ${fmt(s.heapPerSocketKb, ' KB')} | ` +
          `${c.target === 'secura' ? '—' : ratio(o?.rssPerSocketKb, s.rssPerSocketKb)} | ${c.target === 'secura' ? '—' : ratio(o?.heapPerSocketKb, s.heapPerSocketKb)} |`,
      )
    }
  out.push('')

  if (r.history) {
    const h = r.history
    out.push('## History reads (scenario 3)', '')
    const burst = h.burstLoad
    out.push(
      `A conversation of ${h.messages.toLocaleString('en')} messages (seeded in ${h.seedSeconds} s); ${h.samples} reads of each kind, interleaved, ` +
        `while a paced background load reads random pages of 20 at ${h.restLoad.rate} req/s, one every ${Math.round(10000 / h.restLoad.rate) / 10} ms ` +
        `(${h.restLoad.requests} requests, p99 ${h.restLoad.p99} ms from when each was due, non-2xx ${h.restLoad.non2xx}). ` +
        "Server time = Fastify's responseTime from the server log; client time over keep-alive loopback. " +
        "'Alone' = the same reads (up to 100 of each) before any background load. " +
        (burst
          ? `'Bursts' = the same reads under autocannon at the same rate, which each of its 8 connections sends as fast as it can at the start of every second ` +
            `(${burst.requests} requests, p99 ${burst.p99} ms, non-2xx ${burst.non2xx}): the server is saturated for part of each second. `
          : '') +
        'The baselines store nothing, so no ratio.',
      '',
    )
    out.push(
      '| read | server p50 | server p99 | client p50 | client p99 | alone: server p50 / p99 | bursts: server p50 / p99 |',
      '|---|---|---|---|---|---|---|',
    )
    const pair = (p?: { server: { p50: number; p99: number } | null }) =>
      p?.server ? `${p.server.p50} / ${p.server.p99} ms` : '—'
    for (const c of h.cases)
      out.push(
        `| ${c.name} | ${fmt(c.server?.p50, ' ms')} | ${fmt(c.server?.p99, ' ms')} | ${c.client.p50} ms | ${c.client.p99} ms | ` +
          `${pair(c.quiet)} | ${pair(c.burst)} |`,
      )
    out.push('')
  }
  if (r.search) {
    const q = r.search
    out.push('## Message search (scenario 5)', '')
    out.push(
      `${q.messages.toLocaleString('en')} messages of ${q.vocabulary.toLocaleString('en')} synthetic words (8 a message, a few words very common, most rare; ` +
        `seeded in ${q.seedSeconds} s) in one group of the event, besides the rest of the run's messages. ${q.samples} searches of each kind, ` +
        `in turn at ${q.rate} a second, no other load, as one of the group's members (the default page of 20). ` +
        "Server time = Fastify's responseTime; 'EXPLAIN' = the execution time of the same statement under EXPLAIN ANALYZE.",
      '',
    )
    out.push(
      '| search | query | matches | server p50 | server p99 | client p50 | client p99 | EXPLAIN | plan |',
      '|---|---|---|---|---|---|---|---|---|',
    )
    for (const c of q.cases)
      out.push(
        `| ${c.name} | \`${c.query}\` | ${c.matches.toLocaleString('en')} | ${fmt(c.server?.p50, ' ms')} | ${fmt(c.server?.p99, ' ms')} | ` +
          `${c.client.p50} ms | ${c.client.p99} ms | ${c.explainMs} ms | ${c.strategy ?? ''} |`,
      )
    out.push('')
  }
  if (r.cluster) {
    out.push('## Two instances behind Redis (scenario 4)', '')
    if (r.cluster.skipped) out.push(`Skipped: ${r.cluster.skipped}`, '')
    else if (r.cluster.fanout) {
      const f = r.cluster.fanout
      const one = r.fanout.find((x) => x.target === 'secura' && x.roomSize === f.roomSize)
      out.push(
        `Clients split across two instances, rooms of ${f.roomSize} spanning both: sustained ${fmt(f.sustained?.rate)} msg/s at p99 ${fmt(f.sustained?.deliveryP99, ' ms')}` +
          (one
            ? `; one instance in this run: ${fmt(one.sustained?.rate)} msg/s at p99 ${fmt(one.sustained?.deliveryP99, ' ms')} (two ÷ one: ${ratio(f.sustained?.rate, one.sustained?.rate)}).`
            : ' (no one-instance fan-out in this run to compare with).'),
        '',
      )
    }
  }
  out.push(...variants(r))
  if (r.problems.length > 0) out.push('## Problems', '', ...r.problems.map((p) => `- ${p}`), '')
  return out.join('\n')
}

/** `--variants`: each round's variants side by side, as ratios to the round's first. */
function variants(r: RunResult): string[] {
  if (r.variants.length === 0) return []
  const out = ['## Server settings compared (same run, interleaved)', '']
  out.push(
    '| round | rooms of | variant | settings | sustained msg/s | ÷ first of round | p99 delivery / ack at it | server CPU % / db CPU % at it | delivery p50 at 600 msg/s | overload: msg/s, refused at first, accepted delivery p99, lost |',
    '|---|---|---|---|---|---|---|---|---|---|',
  )
  for (const v of r.variants) {
    const first = r.variants.find((x) => x.round === v.round && x.fanout.roomSize === v.fanout.roomSize)
    const s = v.fanout.sustained
    const step = s ? lastPerRate(v.fanout).find((st) => st.rate === s.rate) : undefined
    const at600 = lastPerRate(v.fanout).find((st) => st.rate === 600)
    const o = v.fanout.overload
    const settings = Object.entries(v.env)
      .map(([k, val]) => `${k}=${val}`)
      .join(' ')
    out.push(
      `| ${v.round} | ${v.fanout.roomSize} | ${v.name} | ${settings || '(defaults)'} | ${fmt(s?.rate)} | ${ratio(s?.rate, first?.fanout.sustained?.rate)} | ` +
        `${fmt(s?.deliveryP99, ' ms')} / ${fmt(s?.ackP99, ' ms')} | ${fmt(step?.serverCpuPct)} / ${fmt(step?.dbCpuPct)} | ${fmt(at600?.delivery.p50, ' ms')} | ${o ? `${o.rate}, ${o.refusedMessages} of ${o.sent}, ${o.delivery.p99} ms, ${o.lost}` : '—'} |`,
    )
  }
  out.push('')
  return out
}

/** Bare socket.io by generator processes: the figures behind the baseline the ratios use. */
function fairBaseline(r: RunResult): string[] {
  if (r.calibration.length === 0) return []
  const out = ['## The baseline is not limited by the generator', '']
  out.push(
    `Bare socket.io is run again with one more load-generator process while the step that ended its curve had a process over ${GENERATOR_CPU_LIMIT_PCT} % of a core ` +
      `or an event-loop delay p99 over ${GENERATOR_LAG_LIMIT_MS} ms, and its sustained rate still rose; every target then runs with the count of its best run.`,
    '',
    '| rooms of | generator processes | sustained msg/s | step that ended the curve | its p99 delivery | generator CPU % each | generator loop delay p99 | server CPU % | machine busy % | steal % | generator saturated |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  )
  for (const c of r.calibration)
    for (const run of c.runs) {
      const l = run.limit
      out.push(
        `| ${c.roomSize} | ${run.workers}${run.workers === c.workers ? ' (used)' : ''} | ${fmt(run.sustained)} | ${l ? `${l.rate}/s` : 'none failed'} | ${l ? `${l.deliveryP99} ms` : '—'} | ` +
          `${l ? l.generator.cpuPct.join(' / ') : '—'} | ${l ? `${Math.max(...l.generator.loopDelayP99Ms)} ms` : '—'} | ${l ? l.serverCpuPct : '—'} | ${l ? l.machineBusyPct : '—'} | ${l ? l.machineStealPct : '—'} | ${l ? (l.generator.saturated ? 'yes' : 'no') : '—'} |`,
      )
    }
  out.push('')
  return out
}

/** The admission-control step: twice the sustained rate, refused sends retried after retryAfterMs until stored. */
function overload(r: RunResult): string[] {
  const runs = r.fanout.filter((f) => f.overload)
  if (runs.length === 0) return []
  const out = ['## Overload: admission control', '']
  out.push(
    'One step at a multiple of the sustained rate. Sends refused with UNAVAILABLE (admission control) or RATE_LIMITED are sent again after ' +
      'the chat client outbox\'s backoff (1 s, doubling each try, never sooner than the retryAfterMs the server gave), with the same clientMessageId. "Accepted" = stored at the first try; ' +
      'a retried message is timed from its first try. Lost = expected deliveries that never came; never stored = still refused after 20 s.',
    '',
    '| rooms of | server | msg/s (× sustained) | sent | refused at first (tries) | ack p99, accepted | delivery p50 / p99, accepted | delivery p99, retried | lost | dups | never stored | server CPU % | machine busy % | steal % |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  )
  for (const f of runs) {
    const o = f.overload!
    out.push(
      `| ${f.roomSize} | ${NAMES[f.target] ?? f.target} | ${o.rate} (${o.factor}×) | ${o.sent} | ${o.refusedMessages} (${o.refusals}) | ${o.ack.p99} ms | ` +
        `${o.delivery.p50} / ${o.delivery.p99} ms | ${o.retried.count > 0 ? `${o.retried.p99} ms` : '—'} | ${o.lost} | ${o.dups} | ${o.failed} | ${o.serverCpuPct} | ${o.machineBusyPct} | ${o.machineStealPct} |`,
    )
  }
  out.push('')
  return out
}

export function chart(r: RunResult): string {
  const sizes = [...new Set(r.fanout.map((f) => f.roomSize))]
  const panelW = 460
  const panelH = 320
  const m = { l: 56, r: 16, t: 40, b: 44 }
  const width = panelW * Math.max(1, sizes.length)
  const height = panelH + 30
  const parts: string[] = []
  const yMin = 1
  const yMax = 1000
  const ly = (v: number) => Math.log10(Math.min(yMax, Math.max(yMin, v)))
  sizes.forEach((size, p) => {
    const runs = r.fanout.filter((f) => f.roomSize === size)
    const xMax = Math.max(1, ...runs.flatMap((f) => f.steps.map((s) => s.rate))) * 1.05
    const x0 = p * panelW + m.l
    const w = panelW - m.l - m.r
    const h = panelH - m.t - m.b
    const X = (v: number) => x0 + (v / xMax) * w
    const Y = (v: number) => m.t + h - ((ly(v) - ly(yMin)) / (ly(yMax) - ly(yMin))) * h
    parts.push(
      `<text x="${x0 + w / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">Rooms of ${size}: p99 delivery vs send rate</text>`,
    )
    parts.push(`<rect x="${x0}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#999"/>`)
    for (const t of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) {
      parts.push(
        `<line x1="${x0}" x2="${x0 + w}" y1="${Y(t)}" y2="${Y(t)}" stroke="${t === 50 ? '#f90' : '#eee'}" ${t === 50 ? 'stroke-dasharray="6 4"' : ''}/>`,
      )
      parts.push(`<text x="${x0 - 6}" y="${Y(t) + 4}" text-anchor="end" font-size="11">${t}</text>`)
    }
    const ticks = 5
    for (let i = 0; i <= ticks; i++) {
      const v = Math.round((xMax / 1.05 / ticks) * i)
      parts.push(`<text x="${X(v)}" y="${m.t + h + 16}" text-anchor="middle" font-size="11">${v}</text>`)
    }
    parts.push(
      `<text x="${x0 + w / 2}" y="${m.t + h + 34}" text-anchor="middle" font-size="12">messages/s sent</text>`,
    )
    parts.push(
      `<text transform="translate(${x0 - 40},${m.t + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">p99 delivery, ms (log)</text>`,
    )
    for (const f of runs) {
      const pts = lastPerRate(f).map((s) => `${X(s.rate).toFixed(1)},${Y(s.delivery.p99).toFixed(1)}`)
      parts.push(
        `<polyline fill="none" stroke="${COLORS[f.target]}" stroke-width="2" points="${pts.join(' ')}"/>`,
      )
      for (const s of f.steps)
        parts.push(
          `<circle cx="${X(s.rate).toFixed(1)}" cy="${Y(s.delivery.p99).toFixed(1)}" r="3" fill="${s.ok ? COLORS[f.target] : '#fff'}" stroke="${COLORS[f.target]}"/>`,
        )
    }
    runs.forEach((f, i) => {
      parts.push(
        `<rect x="${x0 + 10}" y="${m.t + 10 + i * 16}" width="12" height="3" fill="${COLORS[f.target]}"/>`,
      )
      parts.push(`<text x="${x0 + 28}" y="${m.t + 15 + i * 16}" font-size="11">${NAMES[f.target]}</text>`)
    })
  })
  parts.push(
    `<text x="8" y="${height - 6}" font-size="10" fill="#666">${r.date} · load ${r.conditions.loadBefore[0]} · hollow point = a failed step (p99 ≥ 50 ms or loss; a retried first try stays visible), the line follows the last try · dashed = 50 ms</text>`,
  )
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`
}
