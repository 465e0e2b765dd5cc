import { isIP } from 'node:net'

/** What Fastify's `trustProxy` gets: off, a hop count, or the addresses and ranges of the balancer. */
export type TrustProxy = false | number | string[]

// proxy-addr's names for common ranges: loopback, link-local, private (RFC 1918 and fc00::/7).
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])
const EVERYONE = new Set(['true', '*', 'all', 'any', 'yes', 'on', '0.0.0.0/0', '::/0'])

/**
 * TRUST_PROXY: the balancer's address or CIDR list (`172.16.0.0/12`, `10.0.0.5, 10.0.0.6`), or a hop count.
 * Trusting every hop would let any client pick the address the join limiter counts with a forged
 * X-Forwarded-For, so `true`, `*` and the like are refused. Returns the setting, or the problem.
 */
export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { problem: string } {
  const text = (raw ?? '').trim()
  if (text === '' || text === '0' || text.toLowerCase() === 'false') return { value: false }
  if (EVERYONE.has(text.toLowerCase()))
    return {
      problem: `TRUST_PROXY="${text}" would trust any client's X-Forwarded-For; give the balancer's address or CIDR (e.g. 172.16.0.0/12) or a hop count (e.g. 1)`,
    }
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    if (hops > 10) return { problem: `TRUST_PROXY hop count must be from 1 to 10 (got ${text})` }
    return { value: hops }
  }
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
  for (const entry of entries) {
    if (!isAddressOrRange(entry))
      return {
        problem: `TRUST_PROXY: "${entry}" is not an IP address, a CIDR range, a hop count or one of loopback, linklocal, uniquelocal`,
      }
    if (EVERYONE.has(entry) || /\/0$/.test(entry))
      return { problem: `TRUST_PROXY: "${entry}" would trust any client's X-Forwarded-For` }
  }
  return { value: entries }
}

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  if (rest.length > 0) return false
  const family = isIP(address)
  if (family === 0) return false
  if (prefix === undefined) return true
  if (!/^\d{1,3}$/.test(prefix)) return false
  return Number(prefix) <= (family === 4 ? 32 : 128)
}
