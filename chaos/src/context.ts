import { ChaosClient } from './clients/client.ts'
import type { RemoteClient } from './clients/remote.ts'
import type { OwnPostgres } from './infra/postgres.ts'
import { ChaosProxy, type Upstream } from './infra/proxy.ts'
import { OwnRedis } from './infra/redis.ts'
import { ServerProcess } from './infra/server.ts'
import { freePort, percentile, sleep } from './infra/util.ts'
import { conversationsOf, createWorld, type World } from './world.ts'

export interface Fault {
  /** ms since the scenario's traffic started */
  atMs: number
  what: string
}

export interface Sample {
  key: string
  queuedAt: number
  latencyMs: number
  receiver: string
}

/** Everything one scenario starts (torn down by the runner whatever happens) and what it measured. */
export class ScenarioContext {
  readonly faults: Fault[] = []
  readonly servers: ServerProcess[] = []
  readonly proxies: ChaosProxy[] = []
  readonly clients: ChaosClient[] = []
  readonly remotes: RemoteClient[] = []
  readonly samples: Sample[] = []
  readonly notes: string[] = []
  /** clientMessageIds sent outside the chat clients (attachments.ts), checked by their own verification. */
  readonly ownedMessages = new Set<string>()
  redis: OwnRedis | undefined
  world: World | undefined
  databaseUrl = ''
  private readonly sentAt = new Map<string, number>()
  private t0 = Date.now()
  /** Traffic loops still running stop when this is set. */
  stopping = false

  constructor(
    readonly name: string,
    readonly pg: OwnPostgres,
  ) {}

  log(message: string) {
    console.log(`  [${this.name} +${((Date.now() - this.t0) / 1000).toFixed(1)}s] ${message}`)
  }

  markStart() {
    this.t0 = Date.now()
  }

  fault(what: string) {
    this.faults.push({ atMs: Date.now() - this.t0, what })
    this.log(`FAULT ${what} (${new Date().toISOString()})`)
  }

  async database(): Promise<string> {
    this.databaseUrl = await this.pg.createDatabase(`chaos_${this.name.replace(/\W/g, '_')}_${Date.now()}`)
    return this.databaseUrl
  }

  async server(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = new ServerProcess(name, await freePort(), { DATABASE_URL: this.databaseUrl, ...env })
    this.servers.push(server)
    await server.start()
    return server
  }

  async proxy(upstreams: () => Upstream[]): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(upstreams)
    await proxy.listen()
    this.proxies.push(proxy)
    return proxy
  }

  async startRedis(): Promise<OwnRedis> {
    this.redis = await OwnRedis.create()
    return this.redis
  }

  async createWorld(base: string, guests: number): Promise<World> {
    this.world = await createWorld(base, this.name, guests)
    return this.world
  }

  /** An in-process client for guest `index`, talking to `baseUrl`, started and following its conversations. */
  async client(index: number, baseUrl: string): Promise<ChaosClient> {
    const world = this.world!
    const guest = world.guests[index]!
    const client = new ChaosClient({
      name: guest.name,
      user: guest.user,
      token: guest.token,
      baseUrl,
      conversations: conversationsOf(world, guest.user.id),
    })
    client.onSeen = (seen) => {
      if (seen.senderId === client.userId || !seen.key) return
      const queuedAt = this.sentAt.get(seen.key)
      if (queuedAt === undefined) return
      this.samples.push({ key: seen.key, queuedAt, latencyMs: seen.at - queuedAt, receiver: guest.name })
    }
    this.clients.push(client)
    await client.start()
    return client
  }

  /**
   * Each sender queues a message every `intervalMs` (± half) until `durationMs` has passed or `count`
   * messages were queued in all, round-robin over its conversations (or `conversations(client)`). Every
   * `editEvery`th message, it also edits or deletes one of its delivered messages.
   */
  async traffic(
    senders: ChaosClient[],
    options: {
      durationMs?: number
      count?: number
      intervalMs: number
      conversations?: (client: ChaosClient) => string[]
      editEvery?: number
      filler?: string
      label?: string
      /** Stops the traffic early. */
      signal?: AbortSignal
    },
  ): Promise<number> {
    const end = Date.now() + (options.durationMs ?? 3_600_000)
    let budget = options.count ?? Number.POSITIVE_INFINITY
    let queued = 0
    const world = this.world!
    await Promise.all(
      senders.map(async (client, s) => {
        const list = options.conversations?.(client) ?? conversationsOf(world, client.userId)
        let i = s
        await sleep(Math.random() * options.intervalMs)
        while (!this.stopping && !options.signal?.aborted && Date.now() < end && budget > 0) {
          if (!client.storage) {
            await sleep(20) // restarting
            continue
          }
          budget--
          const conversationId = list[i++ % list.length]!
          const key = `${this.name}/${options.label ?? 't'}/${client.spec.name}/${client.queued.size + 1}`
          this.sentAt.set(key, Date.now())
          try {
            await client.send(conversationId, key, options.filler ?? 'lorem ipsum dolor sit amet')
            queued++
          } catch (error) {
            this.notes.push(`${client.spec.name} could not queue ${key}: ${String(error)}`)
          }
          if (options.editEvery && client.queued.size % options.editEvery === 0) void this.changeOne(client)
          await sleep(options.intervalMs * (0.5 + Math.random()))
        }
      }),
    )
    return queued
  }

  /** Edits or deletes one of the client's own delivered messages (errors while faults last are fine). */
  private async changeOne(client: ChaosClient) {
    const storage = client.storage
    if (!storage) return
    const own = Object.values(storage.getSnapshot().messages)
      .flat()
      // Not the sends made outside the chat clients (attachments.ts): a deleted photo would take its file with
      // it, and their own check expects each one delivered as sent.
      .filter(
        (m) =>
          m.state === 'sent' &&
          m.senderId === client.userId &&
          !m.deletedAt &&
          !(m.clientMessageId && this.ownedMessages.has(m.clientMessageId)),
      )
    const target = own[Math.floor(Math.random() * own.length)]
    if (target?.state !== 'sent') return
    try {
      if (Math.random() < 0.5) await storage.edit(target.id, `${target.content.split(' ')[0]} edited`)
      else await storage.remove(target.id)
    } catch {
      // Offline or the server is down: the change is not made; the verification sees the server's state.
    }
  }

  /** Delivery latency (queued → first shown by another client) over the samples matching `filter`. */
  latency(filter: (s: Sample) => boolean = () => true) {
    const values = this.samples.filter(filter).map((s) => s.latencyMs)
    return {
      samples: values.length,
      p50Ms: percentile(values, 50),
      p99Ms: percentile(values, 99),
      maxMs: values.length ? Math.max(...values) : null,
    }
  }

  /** Error answers the clients got, by code, summed. */
  async answers(): Promise<Record<string, number>> {
    const total: Record<string, number> = {}
    const add = (code: string, n: number) => {
      total[code] = (total[code] ?? 0) + n
    }
    for (const c of this.clients) for (const [code, n] of c.answers) add(code, n)
    for (const r of this.remotes) {
      const state = await r.state().catch(() => undefined)
      for (const [code, n] of Object.entries(state?.answers ?? {})) add(code, n)
    }
    return total
  }

  async teardown(): Promise<string[]> {
    const problems: string[] = []
    this.stopping = true
    for (const c of this.clients) c.stop()
    for (const r of this.remotes) await r.stop().catch((e) => problems.push(String(e)))
    await sleep(300)
    for (const s of this.servers) {
      const exit = await s.close()
      if (exit && (exit.signal !== null || exit.code !== 0))
        problems.push(`${s.name} did not stop cleanly on SIGTERM: ${exit.signal ?? `code ${exit.code}`}`)
    }
    for (const p of this.proxies) await p.close()
    await this.redis?.destroy()
    return problems
  }
}
