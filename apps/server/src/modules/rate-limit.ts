import { AppError } from '../errors.ts'

/** Answers whether `key` may act now; when not, how long until it may. */
export interface RateLimiter {
  take(key: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>
}

/**
 * Token buckets in this process's memory: `perSec` tokens a second, at most `burst`, starting full.
 * Buckets that have refilled completely are forgotten, so memory follows active keys only.
 */
export function memoryTokenBuckets(perSec: number, burst: number, now = () => Date.now()): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  let lastSweep = now()
  return {
    async take(key) {
      const t = now()
      if (t - lastSweep > 60_000) {
        lastSweep = t
        for (const [k, b] of buckets) if (b.tokens + ((t - b.at) / 1000) * perSec >= burst) buckets.delete(k)
      }
      const bucket = buckets.get(key) ?? { tokens: burst, at: t }
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSec)
      bucket.at = t
      buckets.set(key, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return { ok: true }
      }
      return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSec) * 1000) }
    },
  }
}

export async function enforce(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const result = await limiter.take(key)
  if (!result.ok)
    throw new AppError('RATE_LIMITED', `Too many ${what}; slow down`, undefined, result.retryAfterMs)
}
