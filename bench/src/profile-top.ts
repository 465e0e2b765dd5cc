// `tsx src/profile-top.ts <file.cpuprofile> [n]`: the top frames of a V8 CPU profile by self time, and the
// self time per package (node_modules/<pkg>) or app folder, so a profile can be read without a browser.
// --windows=MS: also the busy share of each window of MS milliseconds, and what the busiest three ran: a
// stall of a few hundred milliseconds inside a step is lost in the step's totals.
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
  children?: number[]
}
const argv = process.argv.slice(2)
const [file, n = '30'] = argv.filter((a) => !a.startsWith('--'))
// --from=S --to=S: only samples between S seconds after the profile's start (e.g. one measured step).
const bound = (name: string) =>
  Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? Number.NaN)
if (!file) throw new Error('usage: profile-top <file.cpuprofile> [n] [--from=s] [--to=s]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}
const from = bound('from')
const to = bound('to')
// The samples between --from and --to, each with its time in seconds from the profile's start.
const kept: { s: number; id: number }[] = []
let t = 0
for (const [i, id] of profile.samples.entries()) {
  t += profile.timeDeltas[i] ?? 0
  const s = t / 1e6
  if ((Number.isNaN(from) || s >= from) && (Number.isNaN(to) || s <= to)) kept.push({ s, id })
}
const hits = new Map<number, number>()
for (const { id } of kept) hits.set(id, (hits.get(id) ?? 0) + 1)
console.log(`profile spans ${(t / 1e6).toFixed(1)} s`)
for (const node of profile.nodes) node.hitCount = hits.get(node.id) ?? 0
const total = [...hits.values()].reduce((a, b) => a + b, 0)
const byFrame = new Map<string, number>()
const byPackage = new Map<string, number>()
const where = (url: string) => {
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]!
  const app = /\/work\/[^/]+\/(apps\/[^/]+\/src\/[^/]+|packages\/[^/]+)/.exec(url)
  if (app) return app[1]!
  return url.startsWith('node:') ? url : url === '' ? '(native/gc/idle)' : url
}
const frameKey = ({ callFrame: { functionName, url, lineNumber } }: Node) =>
  `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '')}:${lineNumber + 1}`
for (const node of profile.nodes) {
  const { url } = node.callFrame
  const key = frameKey(node)
  byFrame.set(key, (byFrame.get(key) ?? 0) + node.hitCount)
  byPackage.set(where(url), (byPackage.get(where(url)) ?? 0) + node.hitCount)
}
// Inclusive time of the app's own functions (apps/*/src): which service call costs what, callees included.
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const inclusive = new Map<string, number>()
function walk(node: Node, stack: Set<string>): number {
  let sum = node.hitCount
  const { functionName, url, lineNumber } = node.callFrame
  const key = url.includes('/apps/')
    ? `${functionName || '(anonymous)'} ${url.replace(/.*\/apps\//, 'apps/')}:${lineNumber + 1}`
    : ''
  const fresh = key !== '' && !stack.has(key)
  if (fresh) stack.add(key)
  for (const c of node.children ?? []) sum += walk(byId.get(c)!, stack)
  if (fresh) {
    stack.delete(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + sum)
  }
  return sum
}
walk(profile.nodes[0]!, new Set())
const pct = (v: number) => `${((v / total) * 100).toFixed(1)}%`.padStart(6)
console.log(`${total} samples\n-- by package --`)
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(v), k)
console.log('-- top frames (self) --')
for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(pct(v), k)
console.log('-- app functions (inclusive) --')
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(pct(v), k)

const windowMs = bound('windows')
if (!Number.isNaN(windowMs)) {
  const windows = new Map<number, { samples: number; idle: number; frames: Map<string, number> }>()
  for (const { s, id } of kept) {
    const w = Math.floor((s * 1000) / windowMs)
    const entry = windows.get(w) ?? { samples: 0, idle: 0, frames: new Map<string, number>() }
    windows.set(w, entry)
    entry.samples++
    const node = byId.get(id)!
    const key = frameKey(node)
    if (node.callFrame.functionName === '(idle)') entry.idle++
    else entry.frames.set(key, (entry.frames.get(key) ?? 0) + 1)
  }
  const busy = (e: { samples: number; idle: number }) => Math.round((1 - e.idle / e.samples) * 100)
  const at1 = (w: number) => ((w * windowMs) / 1000).toFixed(2)
  console.log(`-- busy % per ${windowMs} ms window (s: %) --`)
  console.log([...windows].map(([w, e]) => `${at1(w)}:${busy(e)}`).join(' '))
  for (const [w, e] of [...windows].sort((a, b) => busy(b[1]) - busy(a[1])).slice(0, 3)) {
    console.log(`-- window at ${at1(w)} s: ${busy(e)} % busy, ${e.samples} samples --`)
    for (const [k, v] of [...e.frames].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(String(v).padStart(6), k)
  }
}
