import type { Redis } from 'ioredis'
import type { RateLimiter } from '../modules/rate-limit.ts'
import { defineScripts, LUA_NOW } from './scripts.ts'

const SCRIPTS = {
  // KEYS: the bucket; ARGV: tokens per second, burst → { 1 if allowed, ms until a token is there }
  take: {
    keys: 1,
    lua: `${LUA_NOW}
    local rate, burst, t = tonumber(ARGV[1]), tonumber(ARGV[2]), now()
    local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
    local tokens = tonumber(state[1]) or burst
    local at = tonumber(state[2]) or t
    tokens = math.min(burst, tokens + math.max(0, t - at) / 1000 * rate)
    local allowed, wait = 0, 0
    if tokens >= 1 then
      tokens = tokens - 1
      allowed = 1
    else
      wait = math.ceil((1 - tokens) / rate * 1000)
    end
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
    redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
    return { allowed, wait }`,
  },
}

export interface RedisTokenBucketOptions {
  prefix: string
  /** Names the limiter in its keys. */
  name: string
  perSec: number
  burst: number
  /** Answers while Redis cannot: this instance's own buckets (the limit then holds per instance). */
  fallback: RateLimiter
  failed(error: unknown, what: string): void
}

/**
 * Token buckets shared by every instance: the same semantics as memoryTokenBuckets (starts full, `perSec`
 * a second up to `burst`), taken atomically in one Lua script on Redis's clock.
 */
export function redisTokenBuckets(redis: Redis, options: RedisTokenBucketOptions): RateLimiter {
  const { prefix, name, perSec, burst, fallback, failed } = options
  const scripts = defineScripts(redis, SCRIPTS)
  return {
    async take(key) {
      try {
        const [allowed, wait] = (await scripts.take([`${prefix}limit:${name}:${key}`], perSec, burst)) as [
          number,
          number,
        ]
        return allowed === 1 ? { ok: true } : { ok: false, retryAfterMs: Number(wait) }
      } catch (error) {
        failed(error, `${name} limit`)
        return fallback.take(key)
      }
    },
  }
}
