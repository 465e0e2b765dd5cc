import type { Redis } from 'ioredis'

export type Script = (...args: (string | number)[]) => Promise<unknown>

/**
 * Lua scripts on one Redis connection: each runs atomically, which is what makes a change happen once
 * however many instances race for it. ioredis sends EVALSHA and falls back to EVAL when Redis forgot the
 * script (after a restart). Scripts get the key prefix in ARGV[1] and build their keys from it, so they
 * need a standalone Redis (or Sentinel), not Redis Cluster.
 */
export function defineScripts<N extends string>(
  client: Redis,
  sources: Record<N, string>,
): Record<N, Script> {
  const scripts = {} as Record<N, Script>
  for (const name of Object.keys(sources) as N[]) {
    const command = `secura_${name}`
    client.defineCommand(command, { numberOfKeys: 0, lua: sources[name] })
    const run = (client as unknown as Record<string, Script>)[command]!
    scripts[name] = (...args) => run.apply(client, args)
  }
  return scripts
}

/** Redis's clock in milliseconds, so that instances with drifting clocks agree on every deadline. */
export const LUA_NOW = `local function now() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end`
