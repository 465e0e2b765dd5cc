import type { Redis } from 'ioredis'
import type { ViewerStore } from '../realtime/room-viewers.ts'
import { defineScripts } from './scripts.ts'

// Keys (P = prefix), all with the hash tag {viewers}: every script touches keys of one slot (Redis Cluster).
//   P{viewers}:instance:<instance>  set   "<room> <userId>" this instance contributes (to clean up after a crash)
//   P{viewers}:users                hash  "<room> <userId>" -> instances where the user has a socket in the room
//   P{viewers}:count                hash  room -> distinct users viewing it, cluster-wide
// Each instance adds a user to a room at most once (its set guards it). Every script takes the same KEYS,
// in this order: one instance's set, users, count.
const SCRIPTS = {
  // ARGV: room, user → { 1 if no other instance had the user there, distinct users }
  enter: {
    keys: 3,
    lua: `local room, entry = ARGV[1], ARGV[1] .. ' ' .. ARGV[2]
    local first = 0
    if redis.call('SADD', KEYS[1], entry) == 1 and redis.call('HINCRBY', KEYS[2], entry, 1) == 1 then
      first = 1
      redis.call('HINCRBY', KEYS[3], room, 1)
    end
    return { first, tonumber(redis.call('HGET', KEYS[3], room) or '0') }`,
  },
  // ARGV: room, user → { 1 if no instance has the user there any more, distinct users }
  exit: {
    keys: 3,
    lua: `local room, entry = ARGV[1], ARGV[1] .. ' ' .. ARGV[2]
    local last = 0
    if redis.call('SREM', KEYS[1], entry) == 1 and redis.call('HINCRBY', KEYS[2], entry, -1) <= 0 then
      redis.call('HDEL', KEYS[2], entry)
      last = 1
      if redis.call('HINCRBY', KEYS[3], room, -1) <= 0 then redis.call('HDEL', KEYS[3], room) end
    end
    return { last, tonumber(redis.call('HGET', KEYS[3], room) or '0') }`,
  },
  // KEYS[1]: the crashed instance's set → flat list room, user, distinct users left, … for each user no longer viewing
  gone: {
    keys: 3,
    lua: `local left = {}
    for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
      local room, u = string.match(entry, '^(%S+) (%S+)$')
      if room and redis.call('HINCRBY', KEYS[2], entry, -1) <= 0 then
        redis.call('HDEL', KEYS[2], entry)
        local users = redis.call('HINCRBY', KEYS[3], room, -1)
        if users <= 0 then
          redis.call('HDEL', KEYS[3], room)
          users = 0
        end
        left[#left + 1] = room
        left[#left + 1] = u
        left[#left + 1] = users
      end
    end
    redis.call('DEL', KEYS[1])
    return left`,
  },
}

type Pair = { room: string; userId: string }

/** Distinct viewers of each conversation across every instance (Redis), for conversation:user-joined/-left. */
export function redisViewerStore(
  redis: Redis,
  { prefix: P, instanceId }: { prefix: string; instanceId: string },
) {
  const scripts = defineScripts(redis, SCRIPTS)
  const USERS = `${P}{viewers}:users`
  const COUNT = `${P}{viewers}:count`
  const keysOf = (instance: string) => [`${P}{viewers}:instance:${instance}`, USERS, COUNT]
  const MINE = keysOf(instanceId)
  const result = (r: unknown) => {
    const [flag, count] = r as [number, number]
    return { changed: flag === 1, userCount: Number(count) }
  }
  const store: ViewerStore & {
    gone(instanceId: string): Promise<(Pair & { userCount: number })[]>
    /** Makes this instance's contribution exactly `truth` (after Redis lost or dropped it). */
    restore(truth: Pair[]): Promise<void>
  } = {
    enter: async (room, userId) => result(await scripts.enter(MINE, room, userId)),
    exit: async (room, userId) => result(await scripts.exit(MINE, room, userId)),
    count: async (room) => Number(await redis.hget(COUNT, room)),
    async gone(id) {
      const flat = (await scripts.gone(keysOf(id))) as (string | number)[]
      const left: (Pair & { userCount: number })[] = []
      for (let i = 0; i < flat.length; i += 3) {
        left.push({ room: String(flat[i]), userId: String(flat[i + 1]), userCount: Number(flat[i + 2]) })
      }
      return left
    },
    async restore(truth) {
      const known = await redis.smembers(MINE[0]!)
      const want = new Set(truth.map((p) => `${p.room} ${p.userId}`))
      const calls: Promise<unknown>[] = []
      for (const entry of known) {
        if (want.has(entry)) continue
        const [room = '', userId = ''] = entry.split(' ')
        calls.push(scripts.exit(MINE, room, userId))
      }
      // enter is idempotent per instance: entries Redis still has are left as they are.
      for (const { room, userId } of truth) calls.push(scripts.enter(MINE, room, userId))
      await Promise.all(calls)
    },
  }
  return store
}
