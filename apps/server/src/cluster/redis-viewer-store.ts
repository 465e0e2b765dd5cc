import type { Redis } from 'ioredis'
import type { ViewerStore } from '../realtime/room-viewers.ts'
import { defineScripts } from './scripts.ts'

// Keys (P = prefix):
//   P viewers:<room>              hash  userId -> instances where the user has a socket in the room
//   P viewers:instance:<instance> set   "<room> <userId>" this instance contributes (to clean up after a crash)
// Each instance adds a user to a room at most once (the set guards it), so the hash's length is the
// number of distinct users viewing, cluster-wide.
const SCRIPTS = {
  // ARGV: P, instance, room, user → { 1 if no other instance had the user there, distinct users }
  enter: `local P, i, room, u = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
    local first = 0
    if redis.call('SADD', P .. 'viewers:instance:' .. i, room .. ' ' .. u) == 1 then
      if redis.call('HINCRBY', P .. 'viewers:' .. room, u, 1) == 1 then first = 1 end
    end
    return { first, redis.call('HLEN', P .. 'viewers:' .. room) }`,
  // ARGV: P, instance, room, user → { 1 if no instance has the user there any more, distinct users }
  exit: `local P, i, room, u = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
    local last = 0
    if redis.call('SREM', P .. 'viewers:instance:' .. i, room .. ' ' .. u) == 1 then
      if redis.call('HINCRBY', P .. 'viewers:' .. room, u, -1) <= 0 then
        redis.call('HDEL', P .. 'viewers:' .. room, u)
        last = 1
      end
    end
    return { last, redis.call('HLEN', P .. 'viewers:' .. room) }`,
  // ARGV: P, crashed instance → flat list room, user, distinct users left, … for each user no longer viewing
  gone: `local P, i = ARGV[1], ARGV[2]
    local left = {}
    for _, entry in ipairs(redis.call('SMEMBERS', P .. 'viewers:instance:' .. i)) do
      local room, u = string.match(entry, '^(%S+) (%S+)$')
      if room and redis.call('HINCRBY', P .. 'viewers:' .. room, u, -1) <= 0 then
        redis.call('HDEL', P .. 'viewers:' .. room, u)
        left[#left + 1] = room
        left[#left + 1] = u
        left[#left + 1] = redis.call('HLEN', P .. 'viewers:' .. room)
      end
    end
    redis.call('DEL', P .. 'viewers:instance:' .. i)
    return left`,
}

type Pair = { room: string; userId: string }

/** Distinct viewers of each conversation across every instance (Redis), for conversation:user-joined/-left. */
export function redisViewerStore(
  redis: Redis,
  { prefix: P, instanceId }: { prefix: string; instanceId: string },
) {
  const scripts = defineScripts(redis, SCRIPTS)
  const result = (r: unknown) => {
    const [flag, count] = r as [number, number]
    return { changed: flag === 1, userCount: Number(count) }
  }
  const store: ViewerStore & {
    gone(instanceId: string): Promise<(Pair & { userCount: number })[]>
    /** Makes this instance's contribution exactly `truth` (after Redis lost or dropped it). */
    restore(truth: Pair[]): Promise<void>
  } = {
    enter: async (room, userId) => result(await scripts.enter(P, instanceId, room, userId)),
    exit: async (room, userId) => result(await scripts.exit(P, instanceId, room, userId)),
    count: (room) => redis.hlen(`${P}viewers:${room}`),
    async gone(id) {
      const flat = (await scripts.gone(P, id)) as (string | number)[]
      const left: (Pair & { userCount: number })[] = []
      for (let i = 0; i < flat.length; i += 3) {
        left.push({ room: String(flat[i]), userId: String(flat[i + 1]), userCount: Number(flat[i + 2]) })
      }
      return left
    },
    async restore(truth) {
      const known = await redis.smembers(`${P}viewers:instance:${instanceId}`)
      const want = new Set(truth.map((p) => `${p.room} ${p.userId}`))
      const calls: Promise<unknown>[] = []
      for (const entry of known) {
        if (want.has(entry)) continue
        const [room = '', userId = ''] = entry.split(' ')
        calls.push(scripts.exit(P, instanceId, room, userId))
      }
      // enter is idempotent per instance: entries Redis still has are left as they are.
      for (const { room, userId } of truth) calls.push(scripts.enter(P, instanceId, room, userId))
      await Promise.all(calls)
    },
  }
  return store
}
