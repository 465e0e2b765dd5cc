import type { Redis } from 'ioredis'
import { defineScripts, LUA_NOW } from './scripts.ts'

/** A part of the shared state that each instance contributes to (presence, conversation viewers). */
export interface ClusterParticipant {
  /** Periodic work on every instance (e.g. offline marks whose grace ran out where nobody settled them). */
  tick?(): Promise<void>
  /** An instance stopped renewing its entry (it crashed): remove what it contributed. Runs on one instance only. */
  instanceGone(instanceId: string): Promise<void>
  /** Redis may have lost or dropped this instance's contribution (a restart, an outage): write it again. */
  restore(): Promise<void>
  /** This instance leaves cleanly: withdraw its contribution. */
  withdraw(): Promise<void>
}

export interface MembershipOptions {
  prefix: string
  instanceId: string
  heartbeatMs: number
  ttlMs: number
  /** A Redis call failed: counted and logged by the caller; membership retries on the next beat. */
  failed(error: unknown, what: string): void
}

// KEYS[1]: P instances  zset  instanceId -> when its entry expires
const SCRIPTS = {
  // Renews this instance's entry; answers whether it was still there (else Redis lost it, or we were taken for dead).
  heartbeat: {
    keys: 1,
    lua: `${LUA_NOW}
    local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
    redis.call('ZADD', KEYS[1], now() + tonumber(ARGV[2]), ARGV[1])
    if known then return 1 end
    return 0`,
  },
  // Takes the instances whose entry expired; removing them here makes exactly one survivor clean up after each.
  claimGone: {
    keys: 1,
    lua: `${LUA_NOW}
    local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now(), 'LIMIT', 0, 20)
    for _, id in ipairs(gone) do redis.call('ZREM', KEYS[1], id) end
    return gone`,
  },
}

/**
 * This instance's entry in Redis: renewed every heartbeat, expiring `ttlMs` after the last one. An instance
 * that finds another's entry expired claims it and removes what that instance had contributed, so a
 * SIGKILLed instance's users go offline within ttlMs + heartbeatMs.
 */
export function createMembership(redis: Redis, options: MembershipOptions) {
  const { prefix, instanceId, heartbeatMs, ttlMs, failed } = options
  const scripts = defineScripts(redis, SCRIPTS)
  const instances = [`${prefix}instances`]
  const participants: ClusterParticipant[] = []
  let timer: NodeJS.Timeout | undefined
  let registered = false
  let restoreNeeded = false
  let running: Promise<void> = Promise.resolve()
  let paused = false

  async function beat() {
    const known = (await scripts.heartbeat(instances, instanceId, ttlMs)) === 1
    if ((registered && !known) || restoreNeeded) {
      restoreNeeded = false
      for (const p of participants) await p.restore()
    }
    registered = true
    const gone = (await scripts.claimGone(instances)) as string[]
    for (const id of gone) for (const p of participants) await p.instanceGone(id)
    for (const p of participants) await p.tick?.()
  }

  /** One beat at a time; a failed beat is retried by the next. */
  const tick = () => {
    if (paused) return running
    running = running.then(() =>
      beat().catch((error) => {
        // Whatever failed meanwhile (this beat, or commands while Redis was away) is redone from local truth.
        restoreNeeded = true
        failed(error, 'cluster heartbeat')
      }),
    )
    return running
  }

  return {
    instanceId,
    join(participant: ClusterParticipant) {
      participants.push(participant)
    },
    start() {
      timer = setInterval(tick, heartbeatMs)
      timer.unref()
      return tick()
    },
    /** Redis came back after an outage: our contribution may be stale or gone. */
    reconnected() {
      restoreNeeded = true
      return tick()
    },
    /** Redis failed a command: what it should have recorded is rewritten from local truth on the next beat. */
    markStale() {
      restoreNeeded = true
    },
    /** No more beats (shutting down); the entry stays until stop(). */
    async pause() {
      paused = true
      clearInterval(timer)
      await running
    },
    async stop() {
      paused = true
      clearInterval(timer)
      await running
      for (const p of participants) await p.withdraw().catch((error) => failed(error, 'cluster withdraw'))
      await redis.zrem(instances[0]!, instanceId).catch((error) => failed(error, 'cluster leave'))
    },
  }
}

export type Membership = ReturnType<typeof createMembership>
