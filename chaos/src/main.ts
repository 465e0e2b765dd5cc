/**
 * `pnpm test:chaos`: real server processes on a Postgres (and Redis) of the harness's own, many clients
 * made of the web app's chat client (@secura/chat-client), scripted faults while messages flow, then the
 * checks of verify.ts. Prints a report, writes chaos/results/latest.json, exits non-zero on any failure.
 *
 * CHAOS_SCENARIOS=name,name runs a subset; CHAOS_TIME_LIMIT_MS bounds the whole run (default 15 min);
 * CHAOS_TRACE=1 writes what each client received to /tmp/chaos-trace-<scenario>-<client>.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLIENT_RETRY, CLIENT_TIMING } from './clients/client.ts'
import { ScenarioContext } from './context.ts'
import { OwnPostgres } from './infra/postgres.ts'
import { ROOT, SERVER_LIMITS } from './infra/server.ts'
import { atExit, withTimeout } from './infra/util.ts'
import { SCENARIOS, type Scenario } from './scenarios.ts'
import { type Figures, verify } from './verify.ts'

interface Report {
  name: string
  title: string
  status: 'passed' | 'failed' | 'skipped'
  reason?: string
  durationMs: number
  faults: { atMs: number; what: string }[]
  clients: number
  messages?: Figures
  deliveryLatency?: { samples: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null }
  crashes: string[]
  /** Error answers the clients got (HTTP and acks), by code: INTERNAL fails the scenario. */
  errorAnswers?: Record<string, number>
  serverErrorLogs: number
  serverErrorLogSample?: string[]
  /** What the server processes wrote to stderr (an unhandled error there fails the scenario). */
  serverStderr: string[]
  /** Times a client's socket went down (in-process clients). */
  socketDrops: number
  /** Conversations loaded from their latest page, beyond the first open of each (too far behind). */
  pageReloads: number
  extra?: Record<string, unknown>
  problems: string[]
}

const only = process.env.CHAOS_SCENARIOS?.split(',').map((s) => s.trim())
const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS
const runLimitMs = Number(process.env.CHAOS_TIME_LIMIT_MS ?? 900_000)
const started = Date.now()
// Whatever happens, the run ends by itself.
const watchdog = setTimeout(() => {
  console.error(`chaos: the run passed its limit of ${runLimitMs / 1000} s: stopping`)
  process.exit(2)
}, runLimitMs + 60_000)
watchdog.unref()

console.log(`chaos: ${scenarios.length} scenarios; server limits set: ${JSON.stringify(SERVER_LIMITS)}`)
console.log(`chaos: client timing ${JSON.stringify(CLIENT_TIMING)}, retry ${JSON.stringify(CLIENT_RETRY)}`)
const pg = await OwnPostgres.create()
console.log(`chaos: own Postgres on 127.0.0.1:${pg.port} (${pg.dir})`)
// However the run ends (a signal, the watchdog), its Postgres stops with it.
const forgetPg = atExit(() => pg.destroySync())
const reports: Report[] = []
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`chaos: ${signal}: stopping everything it started`)
    process.exit(130)
  })
}

try {
  for (const scenario of scenarios) {
    const remaining = runLimitMs - (Date.now() - started)
    reports.push(await runScenario(scenario, Math.min(scenario.timeLimitMs, Math.max(10_000, remaining))))
  }
} finally {
  forgetPg()
  await pg.destroy()
}

printSummary(reports)
const dir = join(ROOT, 'chaos/results')
mkdirSync(dir, { recursive: true })
const passed = reports.filter((r) => r.status === 'passed').length
const failed = reports.filter((r) => r.status === 'failed').length
writeFileSync(
  join(dir, 'latest.json'),
  `${JSON.stringify(
    {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      passed,
      failed,
      skipped: reports.filter((r) => r.status === 'skipped').length,
      settings: { serverLimits: SERVER_LIMITS, clientTiming: CLIENT_TIMING, clientRetry: CLIENT_RETRY },
      scenarios: reports,
    },
    null,
    2,
  )}\n`,
)
console.log(
  `\nchaos: report written to chaos/results/latest.json (${Math.round((Date.now() - started) / 1000)} s)`,
)
const skipped = reports.filter((r) => r.status === 'skipped')
if (skipped.length > 0) console.log(`${skipped.length} skipped: ${skipped.map((r) => r.name).join(', ')}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)

async function runScenario(scenario: Scenario, limitMs: number): Promise<Report> {
  const begin = Date.now()
  const base: Report = {
    name: scenario.name,
    title: scenario.title,
    status: 'skipped',
    durationMs: 0,
    faults: [],
    clients: 0,
    crashes: [],
    serverErrorLogs: 0,
    serverStderr: [],
    socketDrops: 0,
    pageReloads: 0,
    problems: [],
  }
  const skip = scenario.skip?.()
  console.log(`\n=== ${scenario.name}: ${scenario.title}`)
  if (skip) {
    console.log(`  SKIPPED: ${skip}`)
    return { ...base, reason: skip }
  }
  const ctx = new ScenarioContext(scenario.name, pg)
  const problems: string[] = []
  let figures: Figures | undefined
  let extra: Record<string, unknown> | undefined
  let answers: Record<string, number> | undefined
  try {
    await withTimeout(
      scenario.name,
      (async () => {
        const result = await scenario.run(ctx)
        extra = result.extra
        problems.push(...(result.failures ?? []))
        ctx.log('traffic over: draining outboxes and verifying')
        const verified = await verify(ctx, result.restBase())
        figures = verified.figures
        problems.push(...verified.problems)
        answers = await ctx.answers()
        if (answers.INTERNAL) problems.push(`${answers.INTERNAL} INTERNAL errors answered to clients`)
      })(),
      limitMs,
    )
  } catch (error) {
    problems.unshift(`aborted: ${error instanceof Error ? error.message : String(error)}`)
  }
  problems.push(...(await ctx.teardown().catch((e) => [`teardown: ${String(e)}`])))
  const crashes = ctx.servers.flatMap((s) => s.crashes())
  for (const s of ctx.servers) {
    if (s.crashes().length > 0) problems.push(`${s.name} stderr: ${s.stderr.slice(-10).join(' | ')}`)
  }
  const remoteExits = ctx.remotes.filter((r) => r.exit && r.exit.code !== 0)
  for (const r of remoteExits)
    crashes.push(`client process ${r.spec.name} exited with ${r.exit!.signal ?? r.exit!.code}`)
  const errorLogs = ctx.servers.flatMap((s) => s.errorLogs)
  const stderr = ctx.servers.flatMap((s) => s.stderr.map((line) => `${s.name}: ${line}`))
  const unhandled = stderr.filter((line) => /unhandled|uncaught|fatal error|heap out of memory/i.test(line))
  if (unhandled.length > 0) problems.push(`server stderr: ${unhandled.slice(0, 3).join(' | ')}`)
  const bad =
    !figures ||
    crashes.length > 0 ||
    problems.length > 0 ||
    figures.lost + figures.duplicated + figures.outOfOrder + figures.gaps + figures.divergent > 0 ||
    figures.viewDuplicates + figures.rejected + figures.undrained > 0
  const report: Report = {
    ...base,
    status: bad ? 'failed' : 'passed',
    durationMs: Date.now() - begin,
    faults: ctx.faults,
    clients: ctx.clients.length + ctx.remotes.length,
    ...(figures && { messages: figures }),
    deliveryLatency: ctx.latency(),
    crashes,
    ...(answers && { errorAnswers: answers }),
    serverErrorLogs: errorLogs.length,
    ...(errorLogs.length > 0 && { serverErrorLogSample: errorLogs.slice(0, 3) }),
    serverStderr: stderr.slice(0, 20),
    socketDrops: ctx.clients.reduce((sum, c) => sum + c.drops, 0),
    pageReloads: ctx.clients.reduce((sum, c) => sum + c.pageLoads - c.spec.conversations.length, 0),
    ...(extra && { extra }),
    problems: [...problems, ...ctx.notes.slice(0, 10)],
  }
  printScenario(report, errorLogs)
  return report
}

function printScenario(r: Report, errorLogs: string[]) {
  const m = r.messages
  console.log(`  faults injected: ${r.faults.length}`)
  for (const f of r.faults) console.log(`    +${(f.atMs / 1000).toFixed(1)}s ${f.what}`)
  if (m) {
    console.log(
      `  messages: ${m.sent} sent (${m.acked} acked during the run, ${m.stillQueued} still queued at its end), ${m.checked} rows checked; ` +
        `lost ${m.lost}, duplicated ${m.duplicated}, out of order ${m.outOfOrder}, seq gaps ${m.gaps}, ` +
        `divergent views ${m.divergent}, duplicate ids in views ${m.viewDuplicates}, rejected ${m.rejected}, undrained ${m.undrained}`,
    )
  }
  const l = r.deliveryLatency
  if (l)
    console.log(
      `  delivery latency: max ${l.maxMs} ms, p99 ${l.p99Ms} ms, p50 ${l.p50Ms} ms (${l.samples} deliveries)`,
    )
  if (r.extra) console.log(`  figures: ${JSON.stringify(r.extra)}`)
  if (r.errorAnswers) console.log(`  error answers to clients, by code: ${JSON.stringify(r.errorAnswers)}`)
  console.log(
    `  client socket drops: ${r.socketDrops}; page reloads: ${r.pageReloads}; server crashes: ${r.crashes.length === 0 ? 'none' : r.crashes.join('; ')}; ` +
      `error log lines: ${errorLogs.length}; stderr lines: ${r.serverStderr.length}`,
  )
  for (const line of r.serverStderr.slice(0, 5)) console.log(`    stderr ${line.slice(0, 300)}`)
  for (const line of errorLogs.slice(0, 3)) console.log(`    ${line.slice(0, 400)}`)
  for (const p of r.problems) console.log(`  ! ${p}`)
  console.log(`  ${r.status.toUpperCase()} in ${(r.durationMs / 1000).toFixed(1)} s`)
}

function printSummary(reports: Report[]) {
  console.log('\n=== chaos summary')
  for (const r of reports) {
    const m = r.messages
    const figures = m
      ? `sent ${m.sent}, checked ${m.checked}, lost ${m.lost}, duplicated ${m.duplicated}, out of order ${m.outOfOrder}, max latency ${r.deliveryLatency?.maxMs ?? '-'} ms`
      : (r.reason ?? '')
    console.log(
      `  ${r.status.padEnd(7)} ${r.name.padEnd(16)} faults ${String(r.faults.length).padEnd(3)} ${figures}`,
    )
  }
}
