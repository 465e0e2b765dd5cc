// `pnpm bench [--quick] [--only=fanout,capacity,history,search,cluster] [--profile] [--workers=N] [--max-workers=M]
//  [--overload=F] [--runtime=compiled|tsx]`
// Runs Secura Chat and both baselines through the same scenarios in one run and writes
// bench/results/<date>.{json,md,svg}. Exits non-zero on a harness failure, and in --quick on any loss or
// duplicate (never on speed).

import { execSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Calibration, calibrateBaseline } from './calibrate.ts'
import { runCapacity } from './capacity.ts'
import { runFanout } from './fanout.ts'
import { runHistory } from './history.ts'
import { loadAverage } from './proc.ts'
import { chart, markdown, type RunResult } from './report.ts'
import { runSearch } from './search.ts'
import { createGroups, createGuests, type EventSetup } from './setup.ts'
import {
  backendPids,
  createBenchDatabase,
  prepareRuntime,
  type Runtime,
  sendsRefused,
  setCommitDelay,
  settleDatabase,
  startBaseline,
  startSecura,
  type Target,
} from './targets.ts'
import type { ClientSpec } from './worker.ts'
import { Workers } from './workers.ts'

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
const quick = flag('quick')
const runtime = (option('runtime') ?? 'compiled') as Runtime
if (runtime !== 'compiled' && runtime !== 'tsx') throw new Error('--runtime is compiled or tsx')
const only = new Set((option('only') ?? 'fanout,capacity,history,search,cluster').split(','))
const targets = new Set((option('targets') ?? 'secura,socketio,ws').split(','))
const roomsOption = option('rooms')?.split(',').map(Number)
const ratesOption = option('rates')?.split(',').map(Number)
const RESULTS = fileURLToPath(new URL('../results', import.meta.url))

const plan = quick
  ? {
      clients: 200,
      roomSizes: [10],
      rates: { 10: [100, 300], 100: [] as number[] } as Record<number, number[]>,
      stepMs: 1500,
      capacity: [100, 300],
      historyMessages: 20_000,
      historySamples: 30,
      restRate: 50,
      searchMessages: 20_000,
      searchSamples: 20,
    }
  : {
      clients: 1000,
      roomSizes: [10, 100],
      rates: {
        10: [100, 200, 400, 600, 800, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000],
        100: [25, 50, 100, 200, 300, 400, 600, 800, 1000, 1200, 1500],
      } as Record<number, number[]>,
      stepMs: 5000,
      capacity: [1000, 5000, 10000],
      historyMessages: 1_000_000,
      historySamples: 300,
      restRate: 200,
      searchMessages: 1_000_000,
      searchSamples: 100,
    }

// Raised for the benchmark's load (and said so in the report); auth, validation and limits stay on.
const LIMITS = {
  LIMIT_SEND_PER_SEC: '1000',
  LIMIT_SEND_BURST: '1000',
  LIMIT_EVENTS_PER_SEC: '1000',
  LIMIT_JOINS_PER_MIN: '1000000',
}

/**
 * `--variants=wide:SEND_WRITERS=8,narrow:SEND_WRITERS=2+SEND_GROUP_COMMIT=off`: Secura Chat's fan-out again
 * under each set of server settings, in the same run (`--repeat=N` rounds, variants interleaved), so that
 * the machine's noise falls on all of them alike. `PG_COMMIT_DELAY=<µs>` is the bench's own: it sets
 * Postgres' commit_delay (with commit_siblings 1) on the bench database for that variant, and
 * `BENCH_SERVER_ROOT=<path>` runs the server of another checkout (a `git worktree` of the base commit, after
 * `pnpm install` and `node scripts/ensure.mjs` there), so that a change and its base run interleaved.
 */
const variantsOption = args
  .find((a) => a.startsWith('--variants='))
  ?.slice('--variants='.length)
  ?.split(',')
  .map((v) => {
    const [name = '', settings = ''] = v.split(':')
    const env = Object.fromEntries(
      settings
        .split('+')
        .filter(Boolean)
        // At the first '=' only: a value may hold one (NODE_OPTIONS=--max-semi-space-size=64).
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    )
    return { name, env }
  })
const rounds = Number(option('repeat') ?? 1)

const capacityOption = option('capacity')?.split(',').map(Number)
if (capacityOption) plan.capacity = capacityOption
// --clients=N: fewer fan-out clients, for a machine too busy to connect a thousand in time.
const clientsOption = Number(option('clients') ?? 0)
if (clientsOption > 0) plan.clients = clientsOption

const stamp = new Date().toISOString().slice(0, 16).replace(':', '')
// A run narrowed by options is kept apart from full runs (and out of git, like quick ones).
const partial = args.some((a) => /^--(only|targets|rooms|rates|capacity|variants|clients)=/.test(a))
const date = quick ? `${stamp}-quick` : partial ? `${stamp}-partial` : stamp
const logDir = join(tmpdir(), `secura-bench-${date}`)
mkdirSync(logDir, { recursive: true })
mkdirSync(RESULTS, { recursive: true })
const log = (line: string) => console.log(line)

function machine(): RunResult['machine'] {
  let postgres = 'Postgres'
  try {
    postgres = execSync('psql --version', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {}
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGb: Math.round(totalmem() / 1e9),
    node: process.version,
    postgres,
  }
}

function specs(
  setup: EventSetup | null,
  count: number,
  roomSize: number,
  url: string,
  convIds?: string[],
): ClientSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    idx: i,
    url,
    token: setup?.guests[i]?.token,
    convs: [convIds ? convIds[Math.floor(i / roomSize)]! : `room-${roomSize}-${Math.floor(i / roomSize)}`],
  }))
}
const sizesOf = (convs: string[], size: number) => Object.fromEntries(convs.map((c) => [c, size]))

async function main() {
  const load = loadAverage()
  log(`load average ${load.load1} ${load.load5} on ${load.cores} cores${quick ? ' (quick run)' : ''}`)
  if (!quick && load.load1 > load.cores * 0.75)
    log(`  warning: the machine is busy (load ${load.load1}); figures will be noisy`)
  const result: RunResult = {
    date,
    mode: quick ? 'quick' : 'full',
    machine: machine(),
    conditions: {
      loadBefore: [load.load1, load.load5],
      loadAfter: [],
      workers: 0,
      stepSeconds: plan.stepMs / 1000,
      note: `Server, Postgres and load generator share the machine. The servers run ${runtime === 'compiled' ? 'as compiled JavaScript, as the release image runs Secura Chat' : 'as TypeScript under the tsx loader'}.`,
    },
    limits: LIMITS,
    setup: null,
    fanout: [],
    calibration: [] as Calibration[],
    capacity: [],
    history: null,
    search: null,
    cluster: null,
    variants: [],
    problems: [],
  }
  const workerCount = Number(option('workers') ?? 2)
  // Quick runs keep their two processes; full runs may add up to four more for the baseline.
  const maxWorkers = Number(option('max-workers') ?? (quick ? workerCount : workerCount + 4))
  const overloadFactor = Number(option('overload') ?? 2)
  result.conditions.workers = workerCount
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres'
  log(
    runtime === 'compiled'
      ? 'compiling the servers (--runtime=tsx runs the sources)…'
      : 'servers run under tsx',
  )
  await prepareRuntime(
    runtime,
    (variantsOption ?? []).flatMap((v) => v.env.BENCH_SERVER_ROOT ?? []),
  )
  const db = await createBenchDatabase(adminUrl)
  const workers = new Workers(workerCount)
  const adminToken = randomBytes(24).toString('base64url')
  const port = 3900 + Math.floor(Math.random() * 90)
  const running: Target[] = []
  const start = async (t: Promise<Target>) => {
    const target = await t
    running.push(target)
    return target
  }
  const stop = async (t: Target) => {
    await t.stop()
    running.splice(running.indexOf(t), 1)
  }
  const secura = (
    extra: {
      cpuProf?: boolean
      port?: number
      redisUrl?: string
      env?: Record<string, string>
      root?: string
    } = {},
  ) =>
    start(
      startSecura({
        databaseUrl: db.url,
        adminToken,
        port: extra.port ?? port,
        env: { ...LIMITS, ...extra.env },
        logFile: join(logDir, `secura-${extra.port ?? port}.log`),
        runtime,
        ...(extra.root && { root: extra.root }),
        ...(extra.cpuProf && { cpuProfDir: join(RESULTS, 'profiles', date) }),
        ...(extra.redisUrl && { redisUrl: extra.redisUrl }),
      }),
    )
  const dbPids = () => backendPids(db.url)
  try {
    const needGuests = Math.max(
      only.has('fanout') || (only.has('cluster') && !quick && process.env.REDIS_URL) ? plan.clients : 0,
      only.has('capacity') ? Math.max(...plan.capacity) : 0,
      2,
    )
    let target = await secura({ cpuProf: flag('profile') })
    log(`creating ${needGuests} guests through the API…`)
    const setup = await createGuests(target.url, adminToken, needGuests)
    await settleDatabase(db.url)
    result.setup = { guests: needGuests, joinsPerSec: Math.round(setup.joinsPerSec) }
    log(`  ${Math.round(setup.joinsPerSec)} joins/s`)

    if (only.has('fanout')) {
      for (const size of roomsOption ?? plan.roomSizes) {
        log(`fan-out: ${plan.clients} clients in rooms of ${size}`)
        const convs = await createGroups(target.url, setup.guests.slice(0, plan.clients), size)
        // Again once the groups exist: statistics taken while every member was in the lobby say the
        // member table holds one conversation, and plans built on them scan it whole for one group.
        await settleDatabase(db.url)
        const rates = ratesOption ?? plan.rates[size] ?? []
        const baseline = (name: 'socketio' | 'ws') => async (pool: Workers) => {
          const base = await start(
            startBaseline(
              name,
              join(logDir, `${name}.log`),
              runtime,
              flag('profile') ? join(RESULTS, 'profiles', date) : undefined,
            ),
          )
          try {
            const clients = specs(null, plan.clients, size, base.url)
            return await runFanout({
              target: name,
              protocol: base.protocol,
              serverPid: base.pid,
              clients,
              convSizes: sizesOf([...new Set(clients.map((c) => c.convs[0]!))], size),
              rates,
              stepMs: plan.stepMs,
              workers: pool,
              log,
              extend: !quick,
            })
          } finally {
            await stop(base)
          }
        }
        // Bare socket.io first: as many generator processes as it takes not to be what limits it; the
        // others then run with that many.
        let pool = workers
        if (targets.has('socketio')) {
          const { best, calibration } = await calibrateBaseline({
            roomSize: size,
            workers,
            max: maxWorkers,
            run: baseline('socketio'),
            log,
          })
          result.fanout.push(best)
          result.calibration.push(calibration)
          if (calibration.workers !== workers.size) pool = new Workers(calibration.workers)
        }
        try {
          if (targets.has('secura'))
            result.fanout.push(
              await runFanout({
                target: 'secura',
                protocol: 'socketio',
                serverPid: target.pid,
                dbPids,
                refusedBy: () => sendsRefused(target.url, adminToken),
                clients: specs(setup, plan.clients, size, target.url, convs),
                convSizes: sizesOf(convs, size),
                rates,
                stepMs: plan.stepMs,
                workers: pool,
                log,
                extend: !quick,
                // Admission control: twice the sustained rate, refused sends retried until stored.
                ...(size === 10 && overloadFactor > 0 && { overloadFactor }),
              }),
            )
          if (targets.has('ws')) result.fanout.push(await baseline('ws')(pool))
          for (let round = 1; variantsOption && round <= rounds; round++) {
            for (const variant of variantsOption) {
              const { PG_COMMIT_DELAY: commitDelay, BENCH_SERVER_ROOT: root, ...env } = variant.env
              await stop(target)
              await setCommitDelay(db.url, commitDelay)
              target = await secura({ env, ...(root && { root }) })
              log(`variant ${variant.name} (round ${round}): ${JSON.stringify(variant.env)}`)
              const fanout = await runFanout({
                target: 'secura',
                protocol: 'socketio',
                serverPid: target.pid,
                dbPids,
                refusedBy: () => sendsRefused(target.url, adminToken),
                clients: specs(setup, plan.clients, size, target.url, convs),
                convSizes: sizesOf(convs, size),
                rates,
                stepMs: plan.stepMs,
                workers: pool,
                log,
                extend: !quick,
                // Admission settings are variants too: each gets the overload step at its own sustained rate.
                ...(size === 10 && overloadFactor > 0 && { overloadFactor }),
              })
              result.variants.push({ name: variant.name, env: variant.env, round, fanout })
            }
            await setCommitDelay(db.url, undefined)
          }
        } finally {
          if (pool !== workers) await pool.stop()
        }
      }
    }
    await stop(target)

    if (only.has('capacity')) {
      log(`idle sockets: ${plan.capacity.join(' / ')}`)
      target = await secura({ cpuProf: flag('profile') })
      const max = Math.max(...plan.capacity)
      result.capacity.push(
        await runCapacity(
          target,
          specs(setup, max, 1, target.url).map((s) => ({ ...s, convs: [] })),
          plan.capacity,
          workers,
          log,
        ),
      )
      await stop(target)
      for (const name of ['socketio', 'ws'] as const) {
        if (!targets.has(name)) continue
        const base = await start(startBaseline(name, join(logDir, `${name}-capacity.log`), runtime))
        result.capacity.push(
          await runCapacity(
            base,
            specs(null, max, 1, base.url).map((s) => ({ ...s, convs: [] })),
            plan.capacity,
            workers,
            log,
          ),
        )
        await stop(base)
      }
    }

    if (only.has('history')) {
      log(`history: ${plan.historyMessages} messages`)
      target = await secura({ cpuProf: flag('profile') })
      result.history = await runHistory({
        url: target.url,
        logFile: target.logFile,
        databaseUrl: db.url,
        owner: setup.guests[0]!,
        other: setup.guests[1]!,
        messages: plan.historyMessages,
        samples: plan.historySamples,
        restRate: plan.restRate,
        workers,
        log,
      })
      await stop(target)
    }

    if (only.has('search')) {
      log(`search: ${plan.searchMessages} messages`)
      target = await secura()
      result.search = await runSearch({
        url: target.url,
        logFile: target.logFile,
        databaseUrl: db.url,
        owner: setup.guests[0]!,
        other: setup.guests[1]!,
        eventId: setup.eventId,
        messages: plan.searchMessages,
        samples: plan.searchSamples,
        // Probes, one every 50 ms across the cases: a steady rate, not a load test.
        rate: 20,
        log,
      })
      await stop(target)
    }

    if (only.has('cluster') && !quick) {
      const redisUrl = process.env.REDIS_URL
      if (!redisUrl) result.cluster = { skipped: 'REDIS_URL not given' }
      else result.cluster = await runCluster(redisUrl)
      if (result.cluster.skipped) log(`two instances: skipped — ${result.cluster.skipped}`)
    }

    async function runCluster(redisUrl: string): Promise<NonNullable<RunResult['cluster']>> {
      log('two instances behind Redis')
      const a = await secura({ redisUrl })
      // Port + 1: + 100 could land on 4045, a port fetch() refuses to reach.
      const b = await secura({ redisUrl, port: port + 1 })
      try {
        // Probe: a message sent on one instance must reach a client of the other, else cluster mode is not there.
        const [probe] = await createGroups(a.url, setup.guests.slice(0, 2), 2)
        const probeSpecs: ClientSpec[] = [
          { idx: 0, url: a.url, token: setup.guests[0]!.token, convs: [probe!] },
          { idx: 1, url: b.url, token: setup.guests[1]!.token, convs: [probe!] },
        ]
        const p = await runFanout({
          target: 'secura-cluster-probe',
          protocol: 'socketio',
          serverPid: a.pid,
          clients: probeSpecs,
          convSizes: { [probe!]: 2 },
          rates: [10],
          stepMs: 1000,
          workers,
          log,
        })
        if (!p.steps[0] || p.steps[0].lost > 0)
          return {
            skipped: 'a message sent on one instance did not reach the other: cluster mode is not ready',
          }
        const size = 10
        const convs = await createGroups(a.url, setup.guests.slice(0, plan.clients), size)
        await settleDatabase(db.url)
        const clients = specs(setup, plan.clients, size, a.url, convs).map((s, i) => ({
          ...s,
          url: i % 2 ? b.url : a.url,
        }))
        const fanout = await runFanout({
          target: 'secura-2-nodes',
          protocol: 'socketio',
          serverPid: a.pid,
          clients,
          convSizes: sizesOf(convs, size),
          rates: plan.rates[size] ?? [],
          stepMs: plan.stepMs,
          workers,
          log,
        })
        return { fanout }
      } finally {
        await stop(a)
        await stop(b)
      }
    }
  } catch (error) {
    result.problems.push(`harness failure: ${(error as Error).stack ?? error}`)
    log(`harness failure: ${(error as Error).stack ?? error}`)
  } finally {
    for (const t of [...running]) await stop(t).catch(() => {})
    await workers.stop()
    await db.drop().catch((e) => result.problems.push(`could not drop the bench database: ${e}`))
  }
  const after = loadAverage()
  result.conditions.loadAfter = [after.load1, after.load5]
  for (const f of result.fanout) {
    for (const s of f.steps) {
      // A send refused with retryAfterMs (admission control, rate limit) is not lost: its sender was told.
      const hardFailures = s.failed - (s.errors.UNAVAILABLE ?? 0) - (s.errors.RATE_LIMITED ?? 0)
      if (s.dups > 0 || (quick && (s.lost > 0 || hardFailures > 0)))
        result.problems.push(
          `${f.target} rooms of ${f.roomSize} @ ${s.rate}/s: ${s.lost} lost, ${s.dups} duplicated, ${s.failed} refused`,
        )
    }
    // Under overload, refusals are expected; a message that never got through after retries is a loss.
    const o = f.overload
    if (o && (o.dups > 0 || o.lost > 0 || o.failed > 0))
      result.problems.push(
        `${f.target} overload @ ${o.rate}/s: ${o.lost} lost, ${o.dups} duplicated, ${o.failed} never stored after retries`,
      )
  }

  const base = join(RESULTS, date)
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`)
  writeFileSync(`${base}.svg`, chart(result))
  writeFileSync(`${base}.md`, markdown(result, `${date}.svg`))
  log(`\nwrote ${base}.json, .md and .svg (server logs in ${logDir})`)
  log(readFileSync(`${base}.md`, 'utf8').split('<details>')[0]!)
  if (result.problems.length > 0) {
    console.error(result.problems.join('\n'))
    process.exit(1)
  }
}

await main()
process.exit(0)
