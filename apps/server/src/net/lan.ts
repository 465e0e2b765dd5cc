import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os'

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

/** Binding one of these listens on every interface: the venue's network included. */
export const ALL_INTERFACES = new Set(['0.0.0.0', '::', '[::]'])

/**
 * The machine's addresses a phone on the same network can reach: IPv4, not loopback, not link-local
 * (169.254/16 is what an interface gets when no DHCP answered). IPv4 only: what a guest's phone on venue
 * Wi-Fi gets, and what fits in a URL someone may have to type.
 */
export function lanAddresses(interfaces: Interfaces = networkInterfaces()): string[] {
  const found: string[] = []
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.family !== 'IPv4' || info.internal) continue
      if (info.address.startsWith('169.254.') || info.address.startsWith('127.')) continue
      if (!found.includes(info.address)) found.push(info.address)
    }
  }
  // Private ranges first: the venue network rather than, say, a VPN's public address.
  return found.sort((a, b) => Number(!isPrivate(a)) - Number(!isPrivate(b)))
}

function isPrivate(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number)
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
}

/** A URL that only ever reaches the device it is opened on: invitations made with it fail on phones. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.startsWith('127.') ||
    host === '[::1]' ||
    host === '0.0.0.0'
  )
}
