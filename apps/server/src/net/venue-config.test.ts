import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LIMIT_VARIABLES } from '@secura/shared'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../config.ts'
import type { Interfaces } from './lan.ts'
import { localCertificate } from './tls.ts'

const base = { ADMIN_TOKEN: 'a-long-enough-admin-token', DATA_DIR: 'memory://' }
const iface = (address: string, internal = false) => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4' as const,
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
})
// A laptop on venue Wi-Fi with Docker's bridge, a VPN with a public address and no DHCP on its cable port.
const venueLaptop: Interfaces = {
  lo: [iface('127.0.0.1', true)],
  eth0: [iface('169.254.10.3')],
  tun0: [iface('203.0.113.7')],
  wlan0: [iface('192.168.1.23')],
  docker0: [iface('172.17.0.1')],
}

const problemsOf = (env: Record<string, string>, options = {}): string[] => {
  try {
    loadConfig(env, options)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('venue mode', () => {
  it('stays on 127.0.0.1 with a loopback PUBLIC_URL by default, and says so', () => {
    const config = loadConfig(base, { interfaces: venueLaptop })
    expect(config.host).toBe('127.0.0.1')
    expect(config.lanUrls).toEqual([])
    expect(config.publicUrl).toBe('http://localhost:3000')
    expect(config.publicUrlIsLoopback).toBe(true)
  })

  it('--lan binds every interface and derives PUBLIC_URL from the LAN address, private ranges first', () => {
    const config = loadConfig(base, { lan: true, interfaces: venueLaptop })
    expect(config.host).toBe('0.0.0.0')
    expect(config.lanUrls).toEqual([
      'http://192.168.1.23:3000',
      'http://172.17.0.1:3000',
      'http://203.0.113.7:3000',
    ])
    expect(config.publicUrl).toBe('http://192.168.1.23:3000')
    expect(config.publicUrlIsLoopback).toBe(false)
    // Every address of the machine, and localhost for the organizer's own browser.
    expect(config.allowedOrigins).toEqual(
      expect.arrayContaining(['http://192.168.1.23:3000', 'http://172.17.0.1:3000', 'http://localhost:3000']),
    )
  })

  it('HOST=0.0.0.0 without PUBLIC_URL is venue mode too; a PUBLIC_URL given wins', () => {
    const derived = loadConfig({ ...base, HOST: '0.0.0.0', PORT: '8080' }, { interfaces: venueLaptop })
    expect(derived.publicUrl).toBe('http://192.168.1.23:8080')
    const given = loadConfig(
      { ...base, HOST: '0.0.0.0', PUBLIC_URL: 'https://chat.example.org' },
      { interfaces: venueLaptop },
    )
    expect(given.publicUrl).toBe('https://chat.example.org')
    expect(given.lanUrls).toEqual([])
    const both = loadConfig(
      { ...base, PUBLIC_URL: 'https://chat.example.org' },
      { lan: true, interfaces: venueLaptop },
    )
    expect(both.publicUrl).toBe('https://chat.example.org')
    expect(both.allowedOrigins).toContain('http://192.168.1.23:3000')
  })

  it('--lan on a machine with no network keeps localhost and flags it', () => {
    const config = loadConfig(base, { lan: true, interfaces: { lo: [iface('127.0.0.1', true)] } })
    expect(config.publicUrl).toBe('http://localhost:3000')
    expect(config.publicUrlIsLoopback).toBe(true)
  })

  it('refuses a PUBLIC_URL no guest could open or the app cannot be served at, one problem naming it', () => {
    for (const url of [
      'http://chat.example.org/chat',
      'http://0.0.0.0:3000',
      'ftp://x',
      'http://u:p@x',
      'nope',
    ])
      expect(problemsOf({ ...base, PUBLIC_URL: url }), url).toEqual([expect.stringMatching(/^PUBLIC_URL /)])
  })
})

describe('TRUST_PROXY', () => {
  it('takes addresses, CIDR ranges, named ranges or a hop count', () => {
    expect(loadConfig(base).trustProxy).toBe(false)
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1)
    expect(loadConfig({ ...base, TRUST_PROXY: '172.16.0.0/12, 10.0.0.5,fd00::/8' }).trustProxy).toEqual([
      '172.16.0.0/12',
      '10.0.0.5',
      'fd00::/8',
    ])
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback'])
  })

  it('never trusts everyone, and names what it cannot read', () => {
    for (const value of [
      'true',
      '*',
      'TRUE',
      '0.0.0.0/0',
      '10.0.0.0/8,::/0',
      '10.0.0.0/33',
      'proxy.local',
      '99',
    ])
      expect(problemsOf({ ...base, TRUST_PROXY: value }), value).toEqual([
        expect.stringMatching(/^TRUST_PROXY/),
      ])
  })
})

describe('the join ceiling', () => {
  it('defaults to 1,000 a minute, never below the per-address limit, and is configurable', () => {
    expect(loadConfig(base).joinsPerMinTotal).toBe(1000)
    expect(loadConfig({ ...base, LIMIT_JOINS_PER_MIN: '100000' }).joinsPerMinTotal).toBe(100_000)
    expect(loadConfig({ ...base, LIMIT_JOINS_PER_MIN_TOTAL: '50' }).joinsPerMinTotal).toBe(50)
    expect(problemsOf({ ...base, LIMIT_JOINS_PER_MIN_TOTAL: 'lots' })).toEqual([
      expect.stringMatching(/^LIMIT_JOINS_PER_MIN_TOTAL/),
    ])
  })
})

describe('TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secura-tls-'))
  dirs.push(dir)
  const made = localCertificate(join(dir, 'ca'), ['192.168.1.23'])
  const cert = join(dir, 'server.crt')
  const key = join(dir, 'server.key')
  writeFileSync(cert, made.cert)
  writeFileSync(key, made.key)

  it('TLS_CERT and TLS_KEY make the server speak https, with secure cookies', () => {
    const config = loadConfig({ ...base, TLS_CERT: cert, TLS_KEY: key })
    expect(config.tls?.cert.toString()).toContain('BEGIN CERTIFICATE')
    expect(config.publicUrl).toBe('https://localhost:3000')
    expect(config.secureCookies).toBe(true)
  })

  it('a missing, unreadable or mismatched certificate stops start-up, naming the variable', () => {
    expect(problemsOf({ ...base, TLS_CERT: join(dir, 'nope.crt'), TLS_KEY: key })).toEqual([
      expect.stringMatching(/^TLS_CERT: cannot read .*nope\.crt \(ENOENT\)$/),
    ])
    expect(problemsOf({ ...base, TLS_CERT: cert })).toEqual([expect.stringMatching(/^TLS_KEY must be set/)])
    expect(problemsOf({ ...base, TLS_CERT: key, TLS_KEY: key })).toEqual([
      expect.stringMatching(/^TLS_CERT: .* is not a PEM certificate$/),
    ])
    const other = localCertificate(join(dir, 'other'), [])
    const otherKey = join(dir, 'other.key')
    writeFileSync(otherKey, other.key)
    expect(problemsOf({ ...base, TLS_CERT: cert, TLS_KEY: otherKey })).toEqual([
      expect.stringMatching(/^TLS_KEY: .* is not the private key of TLS_CERT$/),
    ])
    expect(
      problemsOf({ ...base, TLS_CERT: cert, TLS_KEY: key, PUBLIC_URL: 'http://chat.example.org' }),
    ).toEqual([expect.stringMatching(/^PUBLIC_URL is http:\/\//)])
  })

  it('--https makes a local CA once and a certificate for the LAN addresses, remade when one is new', () => {
    const dataDir = join(dir, 'data')
    const first = loadConfig(
      { ...base, DATA_DIR: dataDir },
      { lan: true, https: true, interfaces: venueLaptop },
    )
    expect(first.publicUrl).toBe('https://192.168.1.23:3000')
    expect(first.tls?.caFile).toBe(join(dataDir, 'tls', 'ca.crt'))
    const again = loadConfig(
      { ...base, DATA_DIR: dataDir },
      { lan: true, https: true, interfaces: venueLaptop },
    )
    expect(again.tls?.cert.equals(first.tls!.cert)).toBe(true)
    const moved = loadConfig(
      { ...base, DATA_DIR: dataDir },
      { lan: true, https: true, interfaces: { wlan0: [iface('10.20.30.40')] } },
    )
    expect(moved.tls?.cert.equals(first.tls!.cert)).toBe(false)
    expect(moved.publicUrl).toBe('https://10.20.30.40:3000')
  })
})

describe('.env.example', () => {
  it('lists every variable the server and docker compose read', () => {
    const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')
    const config = read('../config.ts')
    const compose = read('../../../../docker-compose.yml')
    const example = read('../../../../.env.example')
    const names = new Set([
      ...[...config.matchAll(/env\.([A-Z][A-Z_]+)|(?:int|url)\('([A-Z][A-Z_]+)'/g)].map((m) => m[1] ?? m[2]),
      ...Object.keys(LIMIT_VARIABLES),
      ...[...compose.matchAll(/\$\{([A-Z][A-Z_]+)/g)].map((m) => m[1]),
    ])
    names.delete('INIT_CWD') // pnpm's, not ours
    expect(names.size).toBeGreaterThan(30)
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z_]+)=/gm)].map((m) => m[1]))
    expect([...names].filter((n) => !listed.has(n!))).toEqual([])
  })
})
