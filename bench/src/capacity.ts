// Scenario 2: idle sockets (authenticated for Secura Chat), added in stages; memory per socket from the
// growth of the server's RSS and heap, both read after a full GC over the inspector (see inspector.ts).
import { connectClients } from './fanout.ts'
import type { Percentiles } from './hist.ts'
import { loadAverage } from './proc.ts'
import type { Target } from './targets.ts'
import type { ClientSpec } from './worker.ts'
import type { Workers } from './workers.ts'

export interface CapacityStage {
  sockets: number
  connected: number
  errors: Record<string, number>
  connectPerSec: number
  connect: Percentiles
  rssMb: number
  heapMb: number | null
  rssPerSocketKb: number
  heapPerSocketKb: number | null
  load1: number
}

export interface CapacityResult {
  target: string
  idleRssMb: number
  idleHeapMb: number | null
  stages: CapacityStage[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const perSocket = (now: number, then: number, sockets: number) =>
  sockets > 0 ? Math.round(((now - then) / sockets / 1024) * 10) / 10 : 0
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10

export async function runCapacity(
  target: Target,
  clients: ClientSpec[],
  stages: number[],
  workers: Workers,
  log: (line: string) => void,
): Promise<CapacityResult> {
  await sleep(2000)
  const idleMemory = await target.memory()
  const idle = { rss: idleMemory.rss }
  const idleHeap: number | null = idleMemory.heapUsed
  const result: CapacityResult = {
    target: target.name,
    idleRssMb: mb(idle.rss),
    idleHeapMb: idleHeap === null ? null : mb(idleHeap),
    stages: [],
  }
  let connected = 0
  let first: { rss: number; heap: number; connected: number } | undefined
  for (const n of stages) {
    const batch = clients.slice(connected, n)
    const load1 = loadAverage().load1
    const c = await connectClients(workers, target.protocol, batch)
    connected += c.connected
    await sleep(3000)
    const memory = await target.memory()
    const now = { rss: memory.rss }
    const heap: number | null = memory.heapUsed
    const stage: CapacityStage = {
      sockets: n,
      connected,
      errors: c.connect.errors,
      connectPerSec: c.connect.perSec,
      connect: c.connect,
      rssMb: mb(now.rss),
      heapMb: heap === null ? null : mb(heap),
      // Marginal cost: growth since the first stage over the sockets added since (the first stage: since idle),
      // so one-off warm-up (JIT, pools, caches) is not charged to the sockets.
      rssPerSocketKb: perSocket(now.rss, first?.rss ?? idle.rss, connected - (first?.connected ?? 0)),
      heapPerSocketKb:
        heap === null || idleHeap === null
          ? null
          : perSocket(heap, first?.heap ?? idleHeap, connected - (first?.connected ?? 0)),
      load1,
    }
    result.stages.push(stage)
    first ??= { rss: now.rss, heap: heap ?? 0, connected }
    log(
      `  ${target.name}: ${connected}/${n} sockets, ${stage.connectPerSec} connects/s, RSS ${stage.rssMb} MB ` +
        `(${stage.rssPerSocketKb} KB/socket), heap ${stage.heapMb ?? 'n/a'} MB (${stage.heapPerSocketKb ?? 'n/a'} KB/socket)`,
    )
    if (connected < n) break
  }
  await workers.all(() => ({ type: 'close' }))
  await sleep(1000)
  return result
}
