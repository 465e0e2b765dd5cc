import fc from 'fast-check'
import { expect } from 'vitest'
import type { SecurityReport } from './report.ts'

// FUZZ_RUNS inputs for each target: `pnpm test:fuzz` sets 10,000; the regular suite runs a sample of 40
// each. Each target has its own seed, derived from FUZZ_SEED and its name, so a failure is reproduced by
// running the file again with the same FUZZ_SEED and FUZZ_RUNS.
export const RUNS = Number(process.env.FUZZ_RUNS ?? 40)
export const SEED = Number(process.env.FUZZ_SEED ?? 20261127)
/** A full run takes minutes per target. */
export const TARGET_TIMEOUT_MS = Math.max(30_000, RUNS * 150)

/** Limits raised so every input reaches the code under test, not the rate limiters. */
export const UNLIMITED = {
  LIMIT_EVENTS_PER_SEC: '1000000',
  LIMIT_SEND_PER_SEC: '1000000',
  LIMIT_SEND_BURST: '1000000',
  LIMIT_CHANGE_PER_SEC: '1000000',
  LIMIT_CHANGE_BURST: '1000000',
  LIMIT_JOINS_PER_MIN: '1000000',
  LIMIT_SOCKETS_PER_USER: '1000000',
  LIMIT_ADMIN_FAILURES_PER_MIN: '1000000',
}

/** FNV-1a: a stable seed per target, whatever the order or number of targets. */
function seedFor(target: string): number {
  let hash = 0x811c9dc5
  for (const ch of target) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193)
  return (SEED ^ hash) | 0
}

/** Per target: inputs that reached storage, and answers of 500 or more (CI fails on any). */
export interface Tally {
  stored: number
  serverErrors: number
}

/** RUNS inputs against one target; counted in the report, and a failure names the target and its seed. */
export function fuzzer(report: SecurityReport) {
  return async function fuzz<T>(
    group: string,
    target: string,
    inputs: fc.Arbitrary<T>,
    check: (input: T, tally: Tally) => Promise<void>,
    { stores = false } = {},
  ): Promise<Tally> {
    const tally: Tally = { stored: 0, serverErrors: 0 }
    const details = await fc.check(
      fc.asyncProperty(inputs, (input) => check(input, tally)),
      { numRuns: RUNS, seed: seedFor(target) },
    )
    const error = details.failed
      ? new Error(
          `${group} ${target} failed on ${fc.stringify(details.counterexample?.[0]).slice(0, 500)} ` +
            `(FUZZ_SEED=${SEED}, seed ${details.seed}, path ${details.counterexamplePath})\n` +
            (fc.defaultReportMessage(details) ?? '').slice(0, 2000),
        )
      : undefined
    report.record(group, target, details.numRuns, error, {
      serverErrors: tally.serverErrors,
      ...(stores && { stored: tally.stored }),
    })
    if (error) throw error
    expect(details.numRuns).toBe(RUNS)
    return tally
  }
}

/** A REST answer must be a 2xx, or a 4xx in the shared shape. */
export function expectAnswered(res: { status: number; body: any }, tally: Tally) {
  if (res.status >= 500) tally.serverErrors++
  expect(res.status).toBeGreaterThanOrEqual(200)
  expect(res.status).toBeLessThan(500)
  if (res.status >= 400) expect(typeof res.body?.error?.code).toBe('string')
}
