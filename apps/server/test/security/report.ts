import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The security report (issue 7): each security test file counts, where its cases run, what it tried and
 * what failed, prints a block when it ends and writes `<suite>.json` into SECURITY_REPORT_DIR (default
 * apps/server/test-results/security/). CI gathers the files and scripts/security-report.mjs adds them up.
 */

export interface TargetTally {
  /** What kind of thing was tried: `REST`, `socket event`, `handshake` … */
  group: string
  /** The endpoint, event or case. */
  target: string
  tried: number
  failed: number
  /** The first failures, briefly; the full message is vitest's. */
  failures: string[]
  /** Inputs that were accepted and stored (fuzzing that reaches the database). */
  stored?: number
  /** Answers of 500 or more, or INTERNAL acks: CI fails on any. */
  serverErrors?: number
}

export interface SecurityReportFile {
  suite: string
  title: string
  startedAt: string
  durationMs: number
  settings: Record<string, unknown>
  tried: number
  failed: number
  targets: TargetTally[]
}

const KEPT_FAILURES = 5
const DEFAULT_DIR = fileURLToPath(new URL('../../test-results/security/', import.meta.url))

export class SecurityReport {
  private readonly started = Date.now()
  private readonly targets = new Map<string, TargetTally>()

  constructor(
    readonly suite: string,
    readonly title: string,
    readonly settings: Record<string, unknown> = {},
  ) {}

  private tally(group: string, target: string): TargetTally {
    const key = `${group}\u0000${target}`
    let tally = this.targets.get(key)
    if (!tally) {
      tally = { group, target, tried: 0, failed: 0, failures: [] }
      this.targets.set(key, tally)
    }
    return tally
  }

  /** Runs one case: counted as tried, and as failed if it throws; the error goes on to vitest. */
  async check<T>(group: string, target: string, run: () => Promise<T>): Promise<T> {
    const tally = this.tally(group, target)
    tally.tried++
    try {
      return await run()
    } catch (error) {
      this.fail(tally, error)
      throw error
    }
  }

  /** A whole test as one case: `it(name, report.counted(group, target, async () => …))`. */
  counted(group: string, target: string, run: () => Promise<void>): () => Promise<void> {
    return () => this.check(group, target, run)
  }

  /** Cases run elsewhere (a fast-check run): how many were tried and the error that ended them, if any. */
  record(
    group: string,
    target: string,
    tried: number,
    error?: unknown,
    counts: { stored?: number; serverErrors?: number } = {},
  ): void {
    const tally = this.tally(group, target)
    tally.tried += tried
    if (counts.stored !== undefined) tally.stored = (tally.stored ?? 0) + counts.stored
    if (counts.serverErrors !== undefined)
      tally.serverErrors = (tally.serverErrors ?? 0) + counts.serverErrors
    if (error !== undefined) this.fail(tally, error)
  }

  private fail(tally: TargetTally, error: unknown): void {
    tally.failed++
    if (tally.failures.length < KEPT_FAILURES) {
      const message = error instanceof Error ? error.message : String(error)
      tally.failures.push(message.split('\n')[0]!.slice(0, 300))
    }
  }

  toJSON(): SecurityReportFile {
    const targets = [...this.targets.values()]
    return {
      suite: this.suite,
      title: this.title,
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      settings: this.settings,
      tried: targets.reduce((n, t) => n + t.tried, 0),
      failed: targets.reduce((n, t) => n + t.failed, 0),
      targets,
    }
  }

  /** Prints the block and writes the file; call it in afterAll, so a failed run is reported too. */
  finish(): void {
    const report = this.toJSON()
    const dir = resolve(process.env.SECURITY_REPORT_DIR ?? DEFAULT_DIR)
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${this.suite}.json`)
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`${formatReport(report)}\n  written to ${file}`)
  }
}

const count = (n: number) => n.toLocaleString('en-US')
const plural = (n: number, what: string) => `${count(n)} ${what}${n === 1 ? '' : 's'}`

/** The printed block: a total line, one line per group with what each target tried, then each failure. */
export function formatReport(report: SecurityReportFile): string {
  const settings = Object.entries(report.settings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  const lines = [
    `security: ${report.title}: ${count(report.tried)} tried, ${report.failed} failed` +
      ` (${(report.durationMs / 1000).toFixed(1)} s${settings && `; ${settings}`})`,
  ]
  const groups = new Map<string, TargetTally[]>()
  for (const t of report.targets) groups.set(t.group, [...(groups.get(t.group) ?? []), t])
  for (const [group, targets] of groups) {
    const tried = targets.reduce((n, t) => n + t.tried, 0)
    const failed = targets.reduce((n, t) => n + t.failed, 0)
    lines.push(`  ${group}: ${plural(targets.length, 'target')}, ${count(tried)} tried, ${failed} failed`)
    lines.push(
      ...wrap(
        targets.map(
          (t) =>
            `${t.target} ${count(t.tried)}` +
            (t.stored !== undefined ? ` (${count(t.stored)} stored)` : '') +
            (t.serverErrors ? ` (${t.serverErrors} × 5xx)` : '') +
            (t.failed ? ` (${t.failed} failed)` : ''),
        ),
      ),
    )
  }
  for (const t of report.targets) {
    for (const failure of t.failures) lines.push(`  FAILED ${t.group} ${t.target}: ${failure}`)
  }
  return lines.join('\n')
}

function wrap(items: string[], indent = '    ', width = 110): string[] {
  const lines: string[] = []
  let line = ''
  for (const item of items) {
    if (line && indent.length + line.length + 3 + item.length > width) {
      lines.push(indent + line)
      line = ''
    }
    line = line ? `${line} · ${item}` : item
  }
  if (line) lines.push(indent + line)
  return lines
}
