import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { validation } from '../../errors.ts'

/**
 * A subscription names a URL the server will post to: a guest could name any. Endpoints must be https on
 * a public address; the address is checked again at every connection (a name that resolved to a public
 * address at subscribe time may not later). `allowLoopback` (PUSH_ALLOW_LOOPBACK, development and tests)
 * admits http and https on 127.0.0.1 only, nothing else private.
 */
export interface EndpointPolicy {
  allowLoopback: boolean
}

const PRIVATE = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6')

const LOOPBACK = '127.0.0.1'

/** Whether the server may connect to this address under the policy. */
export function addressAllowed(address: string, policy: EndpointPolicy): boolean {
  if (policy.allowLoopback && address === LOOPBACK) return true
  const family = isIP(address)
  if (family === 0) return false
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is checked as the IPv4 one.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped?.[1]) return addressAllowed(mapped[1], policy)
    return !PRIVATE.check(address, 'ipv6')
  }
  return !PRIVATE.check(address, 'ipv4')
}

/** The endpoint as a URL, or VALIDATION naming what is wrong with it. Names are resolved at connection time. */
export function checkEndpoint(endpoint: string, policy: EndpointPolicy): URL {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw validation('endpoint is not a URL')
  }
  if (url.username || url.password) throw validation('endpoint must not carry credentials')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const loopback = policy.allowLoopback && host === LOOPBACK
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:'))
    throw validation('endpoint must be an https URL')
  if (isIP(host) !== 0 && !addressAllowed(host, policy))
    throw validation('endpoint must be on a public address')
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || !host.includes('.'))
    if (!loopback) throw validation('endpoint must be on a public address')
  return url
}

/**
 * A `lookup` for http(s).request that refuses names resolving to a private address (DNS rebinding between
 * subscribe and send included): the connection fails instead.
 */
export function guardedLookup(policy: EndpointPolicy) {
  return (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, [])
      const allowed = addresses.filter((a) => addressAllowed(a.address, policy))
      if (allowed.length === 0 || allowed.length !== addresses.length) {
        const refused = Object.assign(new Error(`push endpoint ${hostname} resolves to a private address`), {
          code: 'EPRIVATEADDRESS',
        })
        return callback(refused, [])
      }
      if ((options as { all?: boolean }).all) return callback(null, allowed)
      const first = allowed[0] as LookupAddress
      callback(null, first.address, first.family)
    })
  }
}
