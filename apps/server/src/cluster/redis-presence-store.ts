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

// Keys (P = prefix), all with the hash tag {presence}: every script touches keys of one slot (Redis Cluster).
//   P{presence}:instance:<instance>  hash  userId -> sockets of the user on that instance
//   P{presence}:sockets              hash  userId -> sockets of the user on every instance
//   P{presence}:online               set   users shown online: adding and removing are the announcements
//   P{presence}:pending              zset  userId -> when the user goes offline unless a socket comes back
//   P{presence}:activity             zset  userId -> last activity (ms), for users shown online and not away
//   P{presence}:away                 set   users shown away: adding and removing are the announcements
// Every script takes the same KEYS, in this order: one instance's hash, sockets, online, pending, activity, away.
const KEYS = 6
/** Forgets a user's activity and away mark (they went offline). */
const LUA_FORGET = `local function forget(u) redis.call('ZREM', KEYS[5], u); redis.call('SREM', KEYS[6], u) end`
const SCRIPTS = {
  // ARGV: user → 1 when the user was not shown online (announce)
  connect: {
    keys: KEYS,
    lua: `local u = ARGV[1]
    redis.call('HINCRBY', KEYS[1], u, 1)
    redis.call('HINCRBY', KEYS[2], u, 1)
    redis.call('ZREM', KEYS[4], u)
    return redis.call('SADD', KEYS[3], u)`,
  },
  // ARGV: user, graceMs, 'one'|'all' → 1 when no socket is left anywhere (offline after the grace)
  disconnect: {
    keys: KEYS,
    lua: `${LUA_NOW}
    local u = ARGV[1]
    local mine = tonumber(redis.call('HGET', KEYS[1], u) or '0')
    local drop = 0
    if ARGV[3] == 'all' then drop = mine elseif mine > 0 then drop = 1 end
    if mine - drop <= 0 then redis.call('HDEL', KEYS[1], u) else redis.call('HINCRBY', KEYS[1], u, -drop) end
    if drop > 0 and redis.call('HINCRBY', KEYS[2], u, -drop) <= 0 then redis.call('HDEL', KEYS[2], u) end
    if redis.call('HEXISTS', KEYS[2], u) == 1 then return 0 end
    redis.call('ZADD', KEYS[4], now() + tonumber(ARGV[2]), u)
    return 1`,
  },
  // ARGV: user or '' for every due one → users taken offline now (each by exactly one caller)
  settle: {
    keys: KEYS,
    lua: `${LUA_NOW}
    ${LUA_FORGET}
    local t = now()
    local users = ARGV[1] ~= '' and { ARGV[1] } or redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', t, 'LIMIT', 0, 500)
    local offline = {}
    for _, u in ipairs(users) do
      local due = redis.call('ZSCORE', KEYS[4], u)
      if due and tonumber(due) <= t then
        redis.call('ZREM', KEYS[4], u)
        if redis.call('HEXISTS', KEYS[2], u) == 0 and redis.call('SREM', KEYS[3], u) == 1 then
          forget(u)
          offline[#offline + 1] = u
        end
      end
    end
    return offline`,
  },
  // KEYS[1]: the crashed instance's hash → its users with no socket elsewhere, offline at once (the grace has passed)
  gone: {
    keys: KEYS,
    lua: `${LUA_FORGET}
    local offline = {}
    local mine = redis.call('HGETALL', KEYS[1])
    for n = 1, #mine, 2 do
      local u = mine[n]
      if redis.call('HINCRBY', KEYS[2], u, -tonumber(mine[n + 1])) <= 0 then
        redis.call('HDEL', KEYS[2], u)
        redis.call('ZREM', KEYS[4], u)
        if redis.call('SREM', KEYS[3], u) == 1 then
          forget(u)
          offline[#offline + 1] = u
        end
      end
    end
    redis.call('DEL', KEYS[1])
    return offline`,
  },
  // ARGV: user1, count1, user2, count2, … → users shown online again (their entry was lost)
  restore: {
    keys: KEYS,
    lua: `local back = {}
    for n = 1, #ARGV, 2 do
      local u, count = ARGV[n], tonumber(ARGV[n + 1])
      local had = tonumber(redis.call('HGET', KEYS[1], u) or '0')
      redis.call('HSET', KEYS[1], u, count)
      if redis.call('HINCRBY', KEYS[2], u, count - had) <= 0 then redis.call('HDEL', KEYS[2], u) end
      redis.call('ZREM', KEYS[4], u)
      if redis.call('SADD', KEYS[3], u) == 1 then back[#back + 1] = u end
    end
    return back`,
  },
  // ARGV: user, at (ms) → 1 when the user was away (announce online)
  active: {
    keys: KEYS,
    lua: `local u, at = ARGV[1], tonumber(ARGV[2])
    local last = redis.call('ZSCORE', KEYS[5], u)
    if not last or tonumber(last) < at then redis.call('ZADD', KEYS[5], at, u) end
    return redis.call('SREM', KEYS[6], u)`,
  },
  // ARGV: before (ms) → users marked away now (each by exactly one caller). An away user leaves the
  // activity set, so each sweep reads only candidates; its next activity puts it back.
  idle: {
    keys: KEYS,
    lua: `local idle = {}
    for _, u in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 500)) do
      redis.call('ZREM', KEYS[5], u)
      if redis.call('SISMEMBER', KEYS[3], u) == 1 and redis.call('SADD', KEYS[6], u) == 1 then
        idle[#idle + 1] = u
      end
    end
    return idle`,
  },
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
  const key = (name: string) => `${P}{presence}:${name}`
  const SOCKETS = key('sockets')
  const ONLINE = key('online')
  const AWAY = key('away')
  const keysOf = (instance: string) => [
    key(`instance:${instance}`),
    SOCKETS,
    ONLINE,
    key('pending'),
    key('activity'),
    AWAY,
  ]
  const MINE = keysOf(instanceId)
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
    const known = await redis.hkeys(MINE[0]!)
    // From here on synchronous until every call is sent: what is written is local truth at this instant,
    // and calls made later for the same users reach Redis after these (one connection, in order).
    const calls: Promise<unknown>[] = known
      .filter((u) => !truth.has(u))
      .map((u) => scripts.disconnect(MINE, u, graceMs, 'all'))
    const pairs = [...truth].flat()
    const back: string[] = []
    for (let i = 0; i < pairs.length; i += RESTORE_CHUNK * 2) {
      const chunk = pairs.slice(i, i + RESTORE_CHUNK * 2)
      calls.push(scripts.restore(MINE, ...chunk).then((r) => back.push(...(r as string[]))))
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
        async () => (await scripts.connect(MINE, userId)) === 1,
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
        async () => (await scripts.disconnect(MINE, userId, graceMs, 'one')) === 1,
        // Unsure whether another instance holds a socket: never announce a wrong offline. The restore after
        // the outage marks the user, and a sweeper settles the mark.
        () => false,
      )
    },
    settle(userId) {
      return attempt(
        'presence settle',
        async () => ((await scripts.settle(MINE, userId)) as string[]).length > 0,
        () => false,
      )
    },
    online(userIds) {
      if (userIds.length === 0) return Promise.resolve(new Set())
      return attempt(
        'presence read',
        async () => {
          const flags = await redis.smismember(ONLINE, ...userIds)
          return new Set(userIds.filter((_, i) => flags[i] === 1))
        },
        () => new Set(userIds.filter((u) => local.has(u))),
      )
    },
    socketCount(userId) {
      return attempt(
        'presence count',
        async () => Math.max(0, Number(await redis.hget(SOCKETS, userId))),
        () => local.get(userId) ?? 0,
      )
    },
    active(userId, at) {
      return attempt(
        'presence activity',
        async () => (await scripts.active(MINE, userId, at)) === 1,
        () => false,
      )
    },
    idleSince(before) {
      return attempt(
        'presence away',
        async () => (await scripts.idle(MINE, before)) as string[],
        () => [],
      )
    },
    away(userIds) {
      if (userIds.length === 0) return Promise.resolve(new Set())
      return attempt(
        'presence read',
        async () => {
          const flags = await redis.smismember(AWAY, ...userIds)
          return new Set(userIds.filter((_, i) => flags[i] === 1))
        },
        // Unsure: shown online (a missing "away" is harmless; a wrong one is not).
        () => new Set(),
      )
    },
    onlineCount() {
      return attempt(
        'presence count',
        () => redis.scard(ONLINE),
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
      tell(offlineListeners, (await scripts.settle(MINE, '')) as string[])
    },
    async instanceGone(id) {
      tell(offlineListeners, (await scripts.gone(keysOf(id))) as string[])
    },
    restore: () => restoreFrom(local),
    withdraw: () => restoreFrom(new Map()),
  }
}
