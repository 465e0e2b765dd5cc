import { execSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const CLK_TCK = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100
  } catch {
    return 100
  }
})()

export interface ProcSample {
  at: number
  /** CPU seconds used so far (user + system). */
  cpu: number
  rss: number
}

/** CPU time and resident memory of a process, from /proc/<pid>/stat and /proc/<pid>/status. */
export function sample(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return { at: performance.now(), cpu, rss: rssKb * 1024 }
  } catch {
    return null
  }
}

/** Per-process samples of several processes (the database's backends). */
export function sampleEach(pids: number[]): Map<number, ProcSample> {
  const out = new Map<number, ProcSample>()
  for (const pid of pids) {
    const s = sample(pid)
    if (s) out.set(pid, s)
  }
  return out
}

/** CPU use of the processes present in both samples, in percent of one core (a backend that came or went is left out). */
export function cpuPercentEach(a: Map<number, ProcSample>, b: Map<number, ProcSample>): number {
  let cpu = 0
  let seconds = 0
  for (const [pid, after] of b) {
    const before = a.get(pid)
    if (!before) continue
    cpu += after.cpu - before.cpu
    seconds = Math.max(seconds, (after.at - before.at) / 1000)
  }
  return seconds > 0 ? Math.round((cpu / seconds) * 1000) / 10 : 0
}

/** CPU use between two samples, in percent of one core. */
export const cpuPercent = (a: ProcSample, b: ProcSample) =>
  Math.round(((b.cpu - a.cpu) / ((b.at - a.at) / 1000)) * 1000) / 10

/** The 1-minute load average and the machine's core count, recorded beside every measurement. */
export function loadAverage(): { load1: number; load5: number; cores: number } {
  const [l1, l5] = readFileSync('/proc/loadavg', 'utf8').split(' ')
  const cores = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('processor')).length
  return { load1: Number(l1), load5: Number(l5), cores }
}

export interface MachineSample {
  busy: number
  steal: number
  total: number
}

/**
 * The whole machine's CPU counters (/proc/stat), in jiffies over every core: busy (our processes and the
 * kernel's work for them), steal (time the hypervisor gave to other guests while ours waited), total.
 */
export function machineSample(): MachineSample {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
  const values = fields.map(Number)
  const total = values.reduce((a, v) => a + v, 0)
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is also counted in user.
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  const steal = values[7] ?? 0
  const guest = (values[8] ?? 0) + (values[9] ?? 0)
  return { busy: total - guest - idle - steal, steal, total: total - guest }
}

const sharePct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0)

/** How busy the machine was between two samples, in percent of all its cores (steal not included). */
export const machineBusyPct = (a: MachineSample, b: MachineSample) =>
  sharePct(b.busy - a.busy, b.total - a.total)

/** The share of all cores' time the hypervisor took for other guests between two samples. */
export const machineStealPct = (a: MachineSample, b: MachineSample) =>
  sharePct(b.steal - a.steal, b.total - a.total)
