// The reliability and security report of a CI run (issue 7), from the files the suites wrote:
//   node scripts/security-report.mjs [--security <label>=<dir>]... [--chaos <latest.json>]
// Each --security directory holds the JSON of apps/server/test/security/report.ts (one file per test file);
// --chaos is chaos/results/latest.json. Exits non-zero when a file is missing, a suite tried nothing, or
// anything failed, was lost, duplicated, leaked or crashed.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

/** The security test files `pnpm test` runs; each must have written its report. */
const SUITES = [
  'authorization',
  'fuzz',
  'fuzz-storage',
  'handshake',
  'limits',
  'hardening',
  'sessions',
  'races',
]
/** Failures of these suites are leaks: a caller got, wrote or heard what it must not (or kept a socket). */
const LEAK_SUITES = new Set(['authorization', 'handshake', 'sessions'])
/** Suites of fast-check runs: many inputs per target. */
const FUZZ_SUITES = new Set(['fuzz', 'fuzz-storage'])

const { values } = parseArgs({
  options: { security: { type: 'string', multiple: true, default: [] }, chaos: { type: 'string' } },
})
const problems = []
const totals = { lost: 0, duplicated: 0, outOfOrder: 0, leaked: 0, crashed: 0, serverErrors: 0, failed: 0 }
const count = (n) => n.toLocaleString('en-US')
const sum = (items, f) => items.reduce((n, item) => n + (f(item) ?? 0), 0)
// Map.groupBy is Node 21.
function byGroup(targets) {
  const groups = new Map()
  for (const t of targets) groups.set(t.group, [...(groups.get(t.group) ?? []), t])
  return groups
}

function readJson(file, what) {
  if (!existsSync(file)) {
    problems.push(`${what}: ${file} is missing`)
    return undefined
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    problems.push(`${what}: ${file} is not JSON (${error.message})`)
    return undefined
  }
}

for (const spec of values.security) {
  const [label, dir] = spec.includes('=') ? spec.split(/=(.*)/s) : [spec, spec]
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []
  const names = [...new Set([...SUITES, ...files.map((f) => f.slice(0, -5))])]
  console.log(`security (${label}):`)
  for (const name of names) {
    const report = readJson(join(dir, `${name}.json`), `security ${label} ${name}`)
    if (!report) continue
    if (report.tried === 0) problems.push(`security ${label} ${name}: no case was tried`)
    totals.failed += report.failed
    // Any answer of 500 or more, or INTERNAL ack, fails the run, whether or not a test failed on it.
    const serverErrors = sum(report.targets, (t) => t.serverErrors)
    totals.serverErrors += serverErrors
    if (LEAK_SUITES.has(name)) totals.leaked += report.failed
    if (FUZZ_SUITES.has(name)) {
      const fuzzed = report.targets.filter((t) => t.group !== 'after the inputs')
      totals.crashed += sum(fuzzed, (t) => t.failed)
      const runs = fuzzed.map((t) => t.tried)
      const each =
        Math.min(...runs) === Math.max(...runs)
          ? `${count(runs[0])}`
          : `${Math.min(...runs)}–${Math.max(...runs)}`
      const groups = [...byGroup(fuzzed)].map(([group, targets]) => `${group} ${targets.length}`).join(', ')
      console.log(
        `  ${report.title}: ${fuzzed.length} targets (${groups}), ${each} inputs each, ` +
          `${count(sum(fuzzed, (t) => t.tried))} in all; ${report.failed} failed, ${serverErrors} × 5xx ` +
          `(seed ${report.settings.seed})`,
      )
      // Targets that write: how many of their inputs reached the database.
      for (const t of fuzzed.filter((t) => t.stored !== undefined))
        console.log(
          `    ${t.target}: ${count(t.stored)} of ${count(t.tried)} stored (${Math.round((t.stored / t.tried) * 100)} %)`,
        )
    } else {
      const groups = [...byGroup(report.targets)]
        .map(([group, targets]) => `${group} ${count(sum(targets, (t) => t.tried))}`)
        .join(', ')
      console.log(
        `  ${report.title}: ${count(report.tried)} cases (${groups}); ${report.failed} failed` +
          (serverErrors ? `, ${serverErrors} × 5xx` : ''),
      )
    }
    for (const t of report.targets)
      for (const failure of t.failures) console.log(`    FAILED ${t.group} ${t.target}: ${failure}`)
  }
}

if (values.chaos) {
  const chaos = readJson(values.chaos, 'chaos')
  if (chaos) {
    const scenarios = chaos.scenarios
    const ran = scenarios.filter((s) => s.status !== 'skipped')
    const m = (key) => sum(ran, (s) => s.messages?.[key])
    const crashes = sum(ran, (s) => s.crashes.length)
    Object.assign(totals, {
      lost: totals.lost + m('lost'),
      duplicated: totals.duplicated + m('duplicated'),
      outOfOrder: totals.outOfOrder + m('outOfOrder'),
      crashed: totals.crashed + crashes,
      failed: totals.failed + chaos.failed,
    })
    if (ran.length === 0) problems.push('chaos: no scenario ran')
    console.log(
      `chaos (${chaos.startedAt}): ${scenarios.length} scenarios, ${chaos.passed} passed, ${chaos.failed} failed, ` +
        `${chaos.skipped} skipped; ${sum(ran, (s) => s.faults.length)} faults injected; ` +
        `${count(m('checked'))} messages checked: ${m('lost')} lost, ${m('duplicated')} duplicated, ` +
        `${m('outOfOrder')} out of order, ${m('gaps')} seq gaps, ${m('divergent')} divergent; ${crashes} crashes`,
    )
    for (const s of scenarios) {
      const detail =
        s.status === 'skipped'
          ? `skipped: ${s.reason ?? ''}`
          : `${s.faults.length} faults, ${count(s.messages?.checked ?? 0)} checked, ${s.messages?.lost ?? '?'} lost, ` +
            `${s.messages?.duplicated ?? '?'} duplicated, ${s.messages?.outOfOrder ?? '?'} out of order`
      console.log(`  ${s.status === 'failed' ? 'FAILED ' : ''}${s.name}: ${detail}`)
      for (const problem of s.problems ?? []) console.log(`    ${problem}`)
    }
  }
}

console.log(
  `all: lost ${totals.lost}, duplicated ${totals.duplicated}, out of order ${totals.outOfOrder}, ` +
    `leaked ${totals.leaked}, crashed ${totals.crashed}, 5xx ${totals.serverErrors}; ${totals.failed} failed`,
)
for (const problem of problems) console.error(`report: ${problem}`)
const clean = Object.values(totals).every((n) => n === 0)
process.exit(problems.length === 0 && clean ? 0 : 1)
