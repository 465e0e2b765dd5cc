// A fair baseline: bare socket.io is measured with more load-generator processes until the generator is shown
// not to be what limits it — the step where it failed had every generator process below
// GENERATOR_CPU_LIMIT_PCT of a core and its event-loop delay p99 below GENERATOR_LAG_LIMIT_MS — or until
// more processes no longer raise its sustained rate. The other targets then run with the same count.

import type { FanoutResult, StepResult } from './fanout.ts'
import { Workers } from './workers.ts'

export interface CalibrationRun {
  workers: number
  sustained: number | null
  /** The step that ended the curve (its last failed try), with the generator's load in it. */
  limit:
    | (Pick<StepResult, 'rate' | 'generator' | 'machineBusyPct' | 'machineStealPct' | 'serverCpuPct'> & {
        deliveryP99: number
      })
    | null
}

export interface Calibration {
  roomSize: number
  runs: CalibrationRun[]
  /** The run the ratios use: the highest sustained rate (the fewest processes among equals). */
  workers: number
}

export async function calibrateBaseline(o: {
  roomSize: number
  /** The shared pool, used when its size is the one wanted. */
  workers: Workers
  max: number
  run: (workers: Workers) => Promise<FanoutResult>
  log: (line: string) => void
}): Promise<{ best: FanoutResult; calibration: Calibration }> {
  const runs: CalibrationRun[] = []
  let best: FanoutResult | undefined
  for (let count = o.workers.size; count <= o.max; count++) {
    const pool = count === o.workers.size ? o.workers : new Workers(count)
    let f: FanoutResult
    try {
      f = await o.run(pool)
    } finally {
      if (pool !== o.workers) await pool.stop()
    }
    const last = [...f.steps].reverse().find((s) => !s.ok)
    const limit = last
      ? {
          rate: last.rate,
          generator: last.generator,
          machineBusyPct: last.machineBusyPct,
          machineStealPct: last.machineStealPct,
          serverCpuPct: last.serverCpuPct,
          deliveryP99: last.delivery.p99,
        }
      : null
    const previous = runs.at(-1)
    runs.push({ workers: count, sustained: f.sustained?.rate ?? null, limit })
    if (!best || (f.sustained?.rate ?? 0) > (best.sustained?.rate ?? 0)) best = f
    const rising = !previous || (f.sustained?.rate ?? 0) > (previous.sustained ?? 0)
    const saturated = limit?.generator.saturated ?? false
    o.log(
      `  baseline with ${count} generator processes: sustained ${f.sustained?.rate ?? 'none'} msg/s; ` +
        (limit
          ? `at ${limit.rate}/s the generator was ${saturated ? '' : 'not '}saturated (cpu ${limit.generator.cpuPct.join('/')}%, lag p99 ${Math.max(...limit.generator.loopDelayP99Ms)} ms)`
          : 'no step failed'),
    )
    // Stop once the failure is the server's (generator not saturated), or more processes did not help.
    if (!limit || !saturated || !rising) break
  }
  return { best: best!, calibration: { roomSize: o.roomSize, runs, workers: best!.workers } }
}
