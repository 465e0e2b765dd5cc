import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMembership } from '../../src/cluster/membership.ts'
import { redisPresenceStore } from '../../src/cluster/redis-presence-store.ts'
import { redisTokenBuckets } from '../../src/cluster/redis-token-buckets.ts'
import { redisViewerStore } from '../../src/cluster/redis-viewer-store.ts'
import { memoryTokenBuckets } from '../../src/modules/rate-limit.ts'
import { type RedisServer, startRedis } from './harness.ts'

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster maps keys to slots with. */
function crc16(text: string): number {
  let crc = 0
  for (const byte of Buffer.from(text)) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/** The slot of a key: of its hash tag (the first non-empty `{…}`) when it has one, as Redis Cluster does. */
function slot(key: string): number {
  const open = key.indexOf('{')
  if (open !== -1) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % 16384
  }
  return crc16(key) % 16384
}

const PREFIX = 'slots:'
let server: RedisServer
let redis: Redis
let monitor: Redis
const sources: { name: string; lua: string; keys: number }[] = []
/** Every EVAL/EVALSHA Redis received: the script's keys. */
const calls: string[][] = []

beforeAll(async () => {
  server = await startRedis()
  redis = new Redis(server.url)
  const define = redis.defineCommand.bind(redis)
  redis.defineCommand = (name, definition) => {
    sources.push({ name, lua: definition.lua, keys: definition.numberOfKeys ?? 0 })
    define(name, definition)
  }
  monitor = await new Redis(server.url).monitor()
  monitor.on('monitor', (_time: string, args: string[]) => {
    const command = args[0]?.toLowerCase()
    if (command !== 'evalsha' && command !== 'eval') return
    const count = Number(args[2])
    calls.push(args.slice(3, 3 + count))
  })
})
afterAll(async () => {
  monitor?.disconnect()
  redis?.disconnect()
  await server?.stop()
})

const keysInRedis = async () => (await redis.keys(`${PREFIX}*`)).sort()

describe('Lua scripts are Redis Cluster safe', () => {
  it('slot() agrees with Redis Cluster’s own examples', () => {
    // From the Redis Cluster specification: CRC16 of "123456789" is 0x31C3; a tag picks the slot.
    expect(crc16('123456789')).toBe(0x31c3)
    expect(slot('{user1000}.following')).toBe(slot('{user1000}.followers'))
    expect(slot('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384)
    expect(slot('foo{{bar}}zap')).toBe(crc16('{bar') % 16384)
  })

  it('every call passes its keys in KEYS, they share one slot, and no script touches a key it was not given', async () => {
    const failed = (error: unknown) => {
      throw error
    }
    const membershipB = createMembership(redis, {
      prefix: PREFIX,
      instanceId: 'b',
      heartbeatMs: 60_000,
      ttlMs: 60_000,
      failed,
    })
    const presenceA = redisPresenceStore(redis, { prefix: PREFIX, instanceId: 'a', graceMs: 0, failed })
    const presenceB = redisPresenceStore(redis, { prefix: PREFIX, instanceId: 'b', graceMs: 0, failed })
    const viewersA = redisViewerStore(redis, { prefix: PREFIX, instanceId: 'a' })
    const viewersB = redisViewerStore(redis, { prefix: PREFIX, instanceId: 'b' })
    membershipB.join(presenceB)
    const limiter = redisTokenBuckets(redis, {
      prefix: PREFIX,
      name: 'send',
      perSec: 1,
      burst: 1,
      fallback: memoryTokenBuckets(1, 1),
      failed,
    })

    // Every script runs at least once, with the behaviour the cluster suite relies on.
    expect(await presenceA.connected('ana')).toBe(true)
    expect(await presenceB.connected('ana')).toBe(false)
    expect(await presenceA.connected('ana')).toBe(false)
    expect(await presenceA.connected('ben')).toBe(true)
    expect(await presenceA.socketCount('ana')).toBe(3)
    expect(await presenceA.disconnected('ana')).toBe(false)
    expect(await presenceB.disconnected('ana')).toBe(false)
    expect(await presenceA.disconnected('ana')).toBe(true)
    expect(await presenceA.settle('ana')).toBe(true)
    expect([...(await presenceA.online(['ana', 'ben']))]).toEqual(['ben'])
    expect(await presenceB.connected('cy')).toBe(true)
    await presenceB.restore()
    await presenceA.tick?.()
    // Away: activity recorded on one instance, the idle sweep on the other, activity again.
    expect(await presenceA.active('ben', 1000)).toBe(false)
    expect(await presenceB.idleSince(2000)).toEqual(['ben'])
    expect(await presenceA.active('ben', 3000)).toBe(true)

    expect(await viewersA.enter('room1', 'ana')).toEqual({ changed: true, userCount: 1 })
    expect(await viewersB.enter('room1', 'ana')).toEqual({ changed: false, userCount: 1 })
    expect(await viewersB.enter('room1', 'ben')).toEqual({ changed: true, userCount: 2 })
    expect(await viewersA.exit('room1', 'ana')).toEqual({ changed: false, userCount: 2 })
    await viewersA.restore([{ room: 'room2', userId: 'cy' }])
    expect(await viewersA.count('room2')).toBe(1)

    expect(await limiter.take('ana')).toEqual({ ok: true })
    expect((await limiter.take('ana')).ok).toBe(false)

    // a crashed: its entry has expired. b claims it and removes a's presence and viewers.
    await redis.zadd(`${PREFIX}instances`, 0, 'a')
    const offline: string[][] = []
    presenceB.onOffline((users) => offline.push(users))
    await membershipB.start()
    expect(offline.flat()).toEqual(['ben'])
    expect(await viewersB.gone('a')).toEqual([{ room: 'room2', userId: 'cy', userCount: 0 }])
    expect(await viewersB.count('room1')).toBe(2)
    await membershipB.stop()

    const scripts = new Set(sources.map((s) => s.name.replace('secura_', '')))
    expect([...scripts].sort()).toEqual([
      'active',
      'claimGone',
      'connect',
      'disconnect',
      'enter',
      'exit',
      'gone',
      'heartbeat',
      'idle',
      'restore',
      'settle',
      'take',
    ])
    // The monitor sees commands a moment after they ran.
    await redis.ping()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(calls.length).toBeGreaterThan(20)
    const declared = new Set<string>()
    for (const keys of calls) {
      expect(keys.length).toBeGreaterThan(0)
      for (const key of keys) {
        expect(key.startsWith(PREFIX), key).toBe(true)
        declared.add(key)
      }
      expect(new Set(keys.map(slot)).size, keys.join(' ')).toBe(1)
    }
    // Whatever the scripts created in Redis, they were given as a key.
    for (const key of await keysInRedis()) expect(declared, key).toContain(key)
  })

  it('no script builds a key: every redis.call names its key as KEYS[n]', () => {
    expect(sources.length).toBeGreaterThan(0)
    for (const { name, lua, keys } of sources) {
      expect(keys, name).toBeGreaterThan(0)
      for (const match of lua.matchAll(/redis\.call\(\s*'(\w+)'\s*(?:,\s*([^,)]+))?/g)) {
        const [, command, first] = match
        if (command === 'TIME') continue
        const index = /^KEYS\[(\d+)\]$/.exec(first?.trim() ?? '')
        expect(index, `${name}: ${match[0]}`).not.toBeNull()
        expect(Number(index?.[1]), `${name}: ${match[0]}`).toBeLessThanOrEqual(keys)
      }
    }
  })
})
