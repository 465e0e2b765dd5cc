import type { Redis } from 'ioredis'

/** A Lua script and how many of its arguments are keys (passed first, as KEYS; the rest are ARGV). */
export interface ScriptSource {
  keys: number
  lua: string
}

export type Script = (keys: readonly string[], ...args: (string | number)[]) => Promise<unknown>

/**
 * Lua scripts on one Redis connection: each runs atomically, which is what makes a change happen once
 * however many instances race for it. ioredis sends EVALSHA and falls back to EVAL when Redis forgot the
 * script (after a restart). Every key a script touches is passed in KEYS, never built inside it, and the
 * keys of one script share a hash tag: on Redis Cluster a script may only touch keys of one slot, declared
 * up front (test/cluster/scripts.test.ts checks both).
 */
export function defineScripts<N extends string>(
  client: Redis,
  sources: Record<N, ScriptSource>,
): Record<N, Script> {
  const scripts = {} as Record<N, Script>
  for (const name of Object.keys(sources) as N[]) {
    const { keys, lua } = sources[name]
    const command = `secura_${name}`
    client.defineCommand(command, { numberOfKeys: keys, lua })
    const run = (client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[
      command
    ]!
    scripts[name] = (k, ...args) => {
      if (k.length !== keys) throw new Error(`script ${name} takes ${keys} keys, got ${k.length}`)
      return run.apply(client, [...k, ...args])
    }
  }
  return scripts
}

/** Redis's clock in milliseconds, so that instances with drifting clocks agree on every deadline. */
export const LUA_NOW = `local function now() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end`
