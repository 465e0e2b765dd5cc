import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis, type RedisOptions } from 'ioredis'
import { createMembership, type Membership } from '../cluster/membership.ts'

export interface RedisConnections {
  /** Presence, viewer counts, rate limits. No offline queue: while Redis is away a call fails at once. */
  commands: Redis
  /** The socket.io adapter's publisher and subscriber. */
  pub: Redis
  sub: Redis
  /** Prepended to every key and channel. */
  prefix: string
  instanceId: string
  membership: Membership
  /** Counts (redis errors metric) and logs a failed call, at most one line per LOG_EVERY_MS. Never throws. */
  failed(error: unknown, what: string): void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Null without REDIS_URL (a single instance). */
    redis: RedisConnections | null
  }
}

const LOG_EVERY_MS = 10_000
const READY_WAIT_MS = 5000

/**
 * The adapter publishes and subscribes fire-and-forget: a rejected call would be an unhandled rejection,
 * which close-with-grace takes for a crash. While Redis is away these fail; the failure is counted.
 */
function catchFireAndForget(client: Redis, failed: RedisConnections['failed'], what: string) {
  for (const name of ['spublish', 'ssubscribe', 'sunsubscribe'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>
    ;(client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      original(...args).catch((error: unknown) => failed(error, `${what} ${name}`))
  }
}

function whenReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    client.once('ready', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function shut(client: Redis) {
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())])
  }
  client.disconnect()
}

/**
 * Cluster mode (REDIS_URL or REDIS_SENTINELS set): three connections and this instance's membership. Redis being away never
 * stops the instance: it starts without it, every call has a local fallback, and the connections retry.
 */
export default fp(
  async (app: FastifyInstance) => {
    const {
      redisUrl,
      redisSentinels,
      redisSentinelName,
      redisKeyPrefix: prefix,
      heartbeatMs,
      instanceTtlMs,
    } = app.config
    if (!redisUrl && !redisSentinels) {
      app.decorate('redis', null)
      return
    }
    const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
    const log = app.log.child({ instanceId })
    let lastLogged = 0
    let membership: Membership | undefined
    const failed: RedisConnections['failed'] = (error, what) => {
      app.metrics.redisError()
      membership?.markStale()
      const now = Date.now()
      if (now - lastLogged < LOG_EVERY_MS) return
      lastLogged = now
      log.warn(
        { err: error, what },
        'Redis failed; answering from this instance’s knowledge until it is back',
      )
    }

    // With Sentinel, ioredis asks the sentinels for the master, and asks again after every lost connection:
    // a failover looks like a short outage, which every caller already survives.
    const connect = (options: RedisOptions) =>
      redisSentinels
        ? new Redis({ ...options, sentinels: redisSentinels, name: redisSentinelName!, role: 'master' })
        : new Redis(redisUrl!, options)
    const base: RedisOptions = { connectionName: `secura:${instanceId}`, commandTimeout: 2000 }
    const commands = connect({ ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    const pub = connect({ ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    // Subscriptions wait for the connection (ioredis subscribes again after every reconnect).
    const sub = connect({ connectionName: base.connectionName, maxRetriesPerRequest: null })
    catchFireAndForget(pub, failed, 'adapter')
    catchFireAndForget(sub, failed, 'adapter')

    let down = false
    let closing = false
    for (const [client, role] of [
      [commands, 'commands'],
      [pub, 'publisher'],
      [sub, 'subscriber'],
    ] as const) {
      client.on('error', (error) => failed(error, `${role} connection`))
      if (client === commands) {
        client.on('close', () => {
          if (!down && !closing)
            log.warn('Redis connection lost; answering from this instance’s knowledge, retrying')
          down = true
        })
        client.on('ready', () => {
          if (!down) return
          down = false
          log.info('Redis is back; restoring this instance’s presence')
          membership?.reconnected()
        })
      }
    }

    membership = createMembership(commands, {
      prefix,
      instanceId,
      heartbeatMs,
      ttlMs: instanceTtlMs,
      failed,
    })
    app.decorate('redis', { commands, pub, sub, prefix, instanceId, membership, failed })

    const ready = await Promise.all([commands, pub, sub].map((c) => whenReady(c, READY_WAIT_MS)))
    if (ready.includes(false)) log.warn('Redis is not reachable yet; starting without it, retrying')
    else log.info('Redis connected (cluster mode)')

    app.addHook('onReady', async () => {
      await membership.start()
    })
    // No more beats or sweeps once closing; the entry goes in onClose, after the sockets' last changes.
    app.addHook('preClose', async () => {
      await membership.pause()
    })
    app.addHook('onClose', async () => {
      closing = true
      await membership.stop()
      await Promise.all([commands, pub, sub].map(shut))
    })
  },
  { name: 'redis', dependencies: ['config', 'metrics'] },
)
