import type { Redis } from 'ioredis'
import type { PresenceStore } from '../modules/presence/presence-store.ts'
import type { ClusterParticipant } from './membership.ts'
import { defineScripts, LUA_NOW } from './scripts.ts'

export interface RedisPresenceOptions {
  prefix: string
  instanceId: string
  graceMs: number
  /** A Redis call failed (counted and logged by the caller). The store answers from local knowledge instead. */
  failed(error: unknown, what: string): void
}

// Keys (P = prefix):
//   P presence:sockets:<userId>     hash   instanceId -> sockets of the user on that instance
//   P presence:instance:<instance>  set    users with sockets on that instance (to clean up after a crash)
//   P presence:online               set    users shown online: adding and removing are the announcements
//   P presence:pending              zset   userId -> when the user goes offline unless a socket comes back
//   P presence:activity             zset   userId -> last activity (ms), for users shown online and not away
//   P presence:away                 set    users shown away: adding and removing are the announcements
const KEYS = `local P = ARGV[1]
  local function sockets(u) return P .. 'presence:sockets:' .. u end
  local function members(i) return P .. 'presence:instance:' .. i end
  local ONLINE, PENDING = P .. 'presence:online', P .. 'presence:pending'
  local ACTIVITY, AWAY = P .. 'presence:activity', P .. 'presence:away'
  local function forget(u) redis.call('ZREM', ACTIVITY, u); redis.call('SREM', AWAY, u) end`

const SCRIPTS = {
  // ARGV: P, instance, user → 1 when the user was not shown online (announce)
  connect: `${KEYS}
    local i, u = ARGV[2], ARGV[3]
    redis.call('HINCRBY', sockets(u), i, 1)
    redis.call('SADD', members(i), u)
    redis.call('ZREM', PENDING, u)
    return redis.call('SADD', ONLINE, u)`,
  // ARGV: P, instance, user, graceMs, 'one'|'all' → 1 when no socket is left anywhere (offline after the grace)
  disconnect: `${KEYS} ${LUA_NOW}
    local i, u = ARGV[2], ARGV[3]
    if ARGV[5] == 'all' or redis.call('HINCRBY', sockets(u), i, -1) <= 0 then
      redis.call('HDEL', sockets(u), i)
      redis.call('SREM', members(i), u)
    end
    if redis.call('EXISTS', sockets(u)) == 1 then return 0 end
    redis.call('ZADD', PENDING, now() + tonumber(ARGV[4]), u)
    return 1`,
  // ARGV: P, user or '' for every due one → users taken offline now (each by exactly one caller)
  settle: `${KEYS} ${LUA_NOW}
    local t = now()
    local users = ARGV[2] ~= '' and { ARGV[2] } or redis.call('ZRANGEBYSCORE', PENDING, '-inf', t, 'LIMIT', 0, 500)
    local offline = {}
    for _, u in ipairs(users) do
      local due = redis.call('ZSCORE', PENDING, u)
      if due and tonumber(due) <= t then
        redis.call('ZREM', PENDING, u)
        if redis.call('EXISTS', sockets(u)) == 0 and redis.call('SREM', ONLINE, u) == 1 then
          forget(u)
          offline[#offline + 1] = u
        end
      end
    end
    return offline`,
  // ARGV: P, crashed instance → its users with no socket elsewhere, taken offline at once (the grace has passed)
  gone: `${KEYS}
    local offline = {}
    for _, u in ipairs(redis.call('SMEMBERS', members(ARGV[2]))) do
      redis.call('HDEL', sockets(u), ARGV[2])
      if redis.call('EXISTS', sockets(u)) == 0 then
        redis.call('ZREM', PENDING, u)
        if redis.call('SREM', ONLINE, u) == 1 then
          forget(u)
          offline[#offline + 1] = u
        end
      end
    end
    redis.call('DEL', members(ARGV[2]))
    return offline`,
  // ARGV: P, instance, user1, count1, user2, count2, … → users shown online again (their entry was lost)
  restore: `${KEYS}
    local back = {}
    for n = 3, #ARGV, 2 do
      local u = ARGV[n]
      redis.call('HSET', sockets(u), ARGV[2], ARGV[n + 1])
      redis.call('SADD', members(ARGV[2]), u)
      redis.call('ZREM', PENDING, u)
      if redis.call('SADD', ONLINE, u) == 1 then back[#back + 1] = u end
    end
    return back`,
  // ARGV: P, user, at (ms) → 1 when the user was away (announce online)
  active: `${KEYS}
    local u, at = ARGV[2], tonumber(ARGV[3])
    local last = redis.call('ZSCORE', ACTIVITY, u)
    if not last or tonumber(last) < at then redis.call('ZADD', ACTIVITY, at, u) end
    return redis.call('SREM', AWAY, u)`,
  // ARGV: P, before (ms) → users marked away now (each by exactly one caller). An away user leaves the
  // activity set, so each sweep reads only candidates; its next activity puts it back.
  idle: `${KEYS}
    local idle = {}
    for _, u in ipairs(redis.call('ZRANGEBYSCORE', ACTIVITY, '-inf', '(' .. ARGV[2], 'LIMIT', 0, 500)) do
      redis.call('ZREM', ACTIVITY, u)
      if redis.call('SISMEMBER', ONLINE, u) == 1 and redis.call('SADD', AWAY, u) == 1 then
        idle[#idle + 1] = u
      end
    end
    return idle`,
  // ARGV: P, user → sockets on every instance
  count: `${KEYS}
    local total = 0
    for _, n in ipairs(redis.call('HVALS', sockets(ARGV[2]))) do total = total + tonumber(n) end
    return total`,
}

const RESTORE_CHUNK = 500

/**
 * Presence shared by every instance through Redis. Each change is one Lua script, so that when two
 * instances race (a user's tabs closing on both, two sweepers) exactly one of them sees the transition
 * and announces it. Offline marks carry their deadline in Redis: if the instance that set one dies, another
 * settles it. The store keeps its own instance's sockets in memory too: that is what it writes back after
 * Redis lost it, and what it answers from while Redis is unreachable (degraded: this instance's view).
 */
export function redisPresenceStore(
  redis: Redis,
  options: RedisPresenceOptions,
): PresenceStore & ClusterParticipant {
  const { prefix: P, instanceId, graceMs, failed } = options
  const scripts = defineScripts(redis, SCRIPTS)
  const local = new Map<string, number>()
  const offlineListeners: ((userIds: string[]) => void)[] = []
  const onlineListeners: ((userIds: string[]) => void)[] = []
  const inFlight = new Set<Promise<unknown>>()

  /** Runs a Redis call; on failure reports it and answers `fallback()` instead: presence never fails a command. */
  function attempt<T>(what: string, run: () => Promise<T>, fallback: () => T): Promise<T> {
    const call = run().catch((error) => {
      failed(error, what)
      return fallback()
    })
    inFlight.add(call)
    call.finally(() => inFlight.delete(call))
    return call
  }
  const tell = (listeners: ((userIds: string[]) => void)[], userIds: string[]) => {
    if (userIds.length > 0) for (const listener of listeners) listener(userIds)
  }

  async function restoreFrom(truth: Map<string, number>) {
    const known = await redis.smembers(`${P}presence:instance:${instanceId}`)
    // From here on synchronous until every call is sent: what is written is local truth at this instant,
    // and calls made later for the same users reach Redis after these (one connection, in order).
    const calls: Promise<unknown>[] = known
      .filter((u) => !truth.has(u))
      .map((u) => scripts.disconnect(P, instanceId, u, graceMs, 'all'))
    const pairs = [...truth].flat()
    const back: string[] = []
    for (let i = 0; i < pairs.length; i += RESTORE_CHUNK * 2) {
      const chunk = pairs.slice(i, i + RESTORE_CHUNK * 2)
      calls.push(scripts.restore(P, instanceId, ...chunk).then((r) => back.push(...(r as string[]))))
    }
    await Promise.all(calls)
    tell(onlineListeners, back)
  }

  return {
    connected(userId) {
      const count = (local.get(userId) ?? 0) + 1
      local.set(userId, count)
      return attempt(
        'presence connect',
        async () => (await scripts.connect(P, instanceId, userId)) === 1,
        // Unsure: announce a first socket here (a repeated "online" is harmless; a missing one is not).
        () => count === 1,
      )
    },
    disconnected(userId) {
      const count = (local.get(userId) ?? 1) - 1
      if (count > 0) local.set(userId, count)
      else local.delete(userId)
      return attempt(
        'presence disconnect',
        async () => (await scripts.disconnect(P, instanceId, userId, graceMs, 'one')) === 1,
        // Unsure whether another instance holds a socket: never announce a wrong offline. The restore after
        // the outage marks the user, and a sweeper settles the mark.
        () => false,
      )
    },
    settle(userId) {
      return attempt(
        'presence settle',
        async () => ((await scripts.settle(P, userId)) as string[]).length > 0,
        () => false,
      )
    },
    online(userIds) {
      if (userIds.length === 0) return Promise.resolve(new Set())
      return attempt(
        'presence read',
        async () => {
          const flags = await redis.smismember(`${P}presence:online`, ...userIds)
          return new Set(userIds.filter((_, i) => flags[i] === 1))
        },
        () => new Set(userIds.filter((u) => local.has(u))),
      )
    },
    socketCount(userId) {
      return attempt(
        'presence count',
        async () => Number(await scripts.count(P, userId)),
        () => local.get(userId) ?? 0,
      )
    },
    active(userId, at) {
      return attempt(
        'presence activity',
        async () => (await scripts.active(P, userId, at)) === 1,
        () => false,
      )
    },
    idleSince(before) {
      return attempt(
        'presence away',
        async () => (await scripts.idle(P, before)) as string[],
        () => [],
      )
    },
    away(userIds) {
      if (userIds.length === 0) return Promise.resolve(new Set())
      return attempt(
        'presence read',
        async () => {
          const flags = await redis.smismember(`${P}presence:away`, ...userIds)
          return new Set(userIds.filter((_, i) => flags[i] === 1))
        },
        // Unsure: shown online (a missing "away" is harmless; a wrong one is not).
        () => new Set(),
      )
    },
    onlineCount() {
      return attempt(
        'presence count',
        () => redis.scard(`${P}presence:online`),
        () => local.size,
      )
    },
    onOffline(listener) {
      offlineListeners.push(listener)
    },
    onOnline(listener) {
      onlineListeners.push(listener)
    },
    async close() {
      await Promise.allSettled([...inFlight])
    },

    async tick() {
      tell(offlineListeners, (await scripts.settle(P, '')) as string[])
    },
    async instanceGone(id) {
      tell(offlineListeners, (await scripts.gone(P, id)) as string[])
    },
    restore: () => restoreFrom(local),
    withdraw: () => restoreFrom(new Map()),
  }
}
