// The server at a venue: its own https listener, HSTS only over https, whose X-Forwarded-For it believes,
// the join ceiling, and the admin token generated and kept in the database.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { afterAll, describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { migrate } from '../src/db/migrator.ts'
import { createDatabase } from '../src/db/prisma.ts'
import { ensureAdminToken, rotateAdminToken } from '../src/modules/identity/admin-token.ts'
import { localCertificate } from '../src/net/tls.ts'
import { freshDatabase, onPostgres, startServer } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'secura-venue-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const badCode = { code: 'a'.repeat(43), displayName: 'x' }

describe('https', () => {
  const made = localCertificate(join(dir, 'tls'), [])
  const ca = readFileSync(join(dir, 'tls', 'ca.crt'))

  it('speaks TLS with TLS_CERT/TLS_KEY: a real handshake, Secure cookies and HSTS', {
    timeout: 120_000,
  }, async () => {
    writeFileSync(join(dir, 'server.crt'), made.cert)
    writeFileSync(join(dir, 'server.key'), made.key)
    const server = await startServer({
      TLS_CERT: join(dir, 'server.crt'),
      TLS_KEY: join(dir, 'server.key'),
      PUBLIC_URL: 'https://localhost:3999',
    })
    try {
      const port = (server.app.server.address() as { port: number }).port
      // The handshake verifies the chain up to the local CA and the name localhost.
      const handshake = await new Promise<{ authorized: boolean; protocol: string | null }>(
        (resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
            resolve({ authorized: socket.authorized, protocol: socket.getProtocol() })
            socket.end()
          })
          socket.once('error', reject)
        },
      )
      expect(handshake).toEqual({ authorized: true, protocol: expect.stringMatching(/^TLSv1\.[23]$/) })

      const health = await httpsGet(port, ca, 'GET', '/healthz')
      expect(health.status).toBe(200)
      expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')

      const { eventId } = await server.app.services.events
        .createEvent({ name: 'TLS' })
        .then((r) => ({ eventId: r.event.id }))
      const { code } = await server.app.services.invitations.createInvitation({ kind: 'admin' }, eventId, {})
      const joined = await httpsGet(port, ca, 'POST', '/api/auth/join', { code, displayName: 'Secure' })
      expect(joined.status).toBe(200)
      const cookie = String(joined.headers['set-cookie'])
      expect(cookie).toMatch(/^secura_session=/)
      expect(cookie).toMatch(/; Secure/)
      expect(cookie).toMatch(/; HttpOnly/)

      // Plain http on the https port is refused, not served.
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
    } finally {
      await server.close()
    }
  })

  it('sends no HSTS (nor COOP on a LAN name) over plain http, unless a trusted balancer says the client came over https', {
    timeout: 120_000,
  }, async () => {
    const server = await startServer({ TRUST_PROXY: '127.0.0.1' })
    try {
      const plain = await server.api('GET', '/healthz')
      expect(plain.headers.get('strict-transport-security')).toBeNull()
      expect(plain.headers.get('set-cookie')).toBeNull()
      const proxied = await server.api('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } })
      expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains')
      // COOP only where a browser takes it (https, or loopback): Chromium logs an error for it on a LAN name.
      expect(plain.headers.get('cross-origin-opener-policy')).toBe('same-origin')
      expect(proxied.headers.get('cross-origin-opener-policy')).toBe('same-origin')
      const onLan = await server.app.inject({ url: '/healthz', headers: { host: 'venue.test:3000' } })
      expect(onLan.headers['cross-origin-opener-policy']).toBeUndefined()
    } finally {
      await server.close()
    }
    const untrusted = await startServer({ TRUST_PROXY: '10.0.0.0/8' })
    try {
      const forged = await untrusted.api('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } })
      expect(forged.headers.get('strict-transport-security')).toBeNull()
    } finally {
      await untrusted.close()
    }
  })
})

// Embedded only (a DATA_DIR of its own, no DATABASE_URL): the Postgres pass would repeat it word for word.
describe.skipIf(onPostgres)('--https', () => {
  it('offers the local CA at /ca.crt for phones to trust, never its key', { timeout: 120_000 }, async () => {
    const dataDir = join(dir, 'https-data')
    const config = loadConfig(
      { ADMIN_TOKEN: 'https-admin-token-0123456789', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      {
        lan: true,
        https: true,
        interfaces: {
          wlan0: [
            {
              address: '192.168.7.7',
              netmask: '255.255.255.0',
              family: 'IPv4',
              mac: '00:00:00:00:00:00',
              internal: false,
              cidr: '192.168.7.7/24',
            },
          ],
        },
      },
    )
    expect(config.publicUrl).toBe('https://192.168.7.7:3000')
    const app = await buildApp(config, { logger: false })
    try {
      const ca = await app.inject({ url: '/ca.crt' })
      expect(ca.statusCode).toBe(200)
      expect(ca.headers['content-type']).toBe('application/x-x509-ca-cert')
      expect(ca.body).toBe(readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8'))
      expect(ca.body).not.toContain('PRIVATE KEY')
    } finally {
      await app.close()
    }
  })
})

describe('TRUST_PROXY and the join limits', () => {
  const joinStatuses = async (server: Awaited<ReturnType<typeof startServer>>, n: number) => {
    const statuses: number[] = []
    for (let i = 0; i < n; i++) {
      const res = await server.api('POST', '/api/auth/join', {
        body: badCode,
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
      })
      statuses.push(res.status)
    }
    return statuses
  }

  it('a forged X-Forwarded-For from a client that is not the balancer does not move the join limiter', {
    timeout: 120_000,
  }, async () => {
    const server = await startServer({ LIMIT_JOINS_PER_MIN: '3', TRUST_PROXY: '10.0.0.0/8' })
    try {
      expect(await joinStatuses(server, 5)).toEqual([404, 404, 404, 429, 429])
    } finally {
      await server.close()
    }
  })

  it('from the balancer the forwarded address counts; the ceiling holds across addresses', {
    timeout: 120_000,
  }, async () => {
    const server = await startServer({
      LIMIT_JOINS_PER_MIN: '3',
      LIMIT_JOINS_PER_MIN_TOTAL: '4',
      TRUST_PROXY: '127.0.0.1',
    })
    try {
      // Six addresses, one join each: the per-address limit never trips, the ceiling does after four.
      expect(await joinStatuses(server, 6)).toEqual([404, 404, 404, 404, 429, 429])
      const refused = await server.api('POST', '/api/auth/join', {
        body: badCode,
        headers: { 'x-forwarded-for': '198.51.100.99' },
      })
      expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) })
    } finally {
      await server.close()
    }
  })
})

describe('the generated admin token', () => {
  it('without ADMIN_TOKEN: generated once, kept only as a hash, the same for every start; rotation replaces it', {
    timeout: 120_000,
  }, async () => {
    const database = await freshDatabase()
    const dataDir = join(dir, 'data')
    const env = {
      DATA_DIR: onPostgres ? 'memory://' : dataDir,
      LOG_LEVEL: 'silent',
      ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
    }
    const start = () => buildApp(loadConfig(env), { logger: false })
    try {
      // On Postgres two instances start together: one generates, the other takes the same token.
      const first = onPostgres ? await Promise.all([start(), start()]) : [await start()]
      const generated = first.map((a) => a.adminTokenGenerated).filter(Boolean)
      expect(generated).toHaveLength(1)
      const token = generated[0]!
      const stored = await first[0]!.db.sql.query<{ tokenHash: string }>(
        'SELECT "tokenHash" FROM "AdminToken"',
      )
      expect(stored).toHaveLength(1)
      expect(stored[0]!.tokenHash).not.toContain(token)
      for (const app of first) {
        const ok = await app.inject({
          url: '/api/admin/events',
          headers: { authorization: `Bearer ${token}` },
        })
        expect(ok.statusCode).toBe(200)
      }
      for (const app of first) await app.close()

      const again = await start()
      try {
        expect(again.adminTokenGenerated).toBeUndefined()
        const auth = (t: string) =>
          again.inject({ url: '/api/admin/events', headers: { authorization: `Bearer ${t}` } })
        expect((await auth(token)).statusCode).toBe(200)
        const rotated = await rotateAdminToken(again.db.sql, again.config.adminTokenFile)
        expect((await auth(token)).statusCode).toBe(401)
        expect((await auth(rotated)).statusCode).toBe(200)
        expect(rotated).not.toBe(token)
      } finally {
        await again.close()
      }
    } finally {
      await database.drop()
    }
  })
})

describe.skipIf(onPostgres)('an embedded install from before the token moved to the database', () => {
  it('keeps the token of DATA_DIR/admin-token: adopted, not replaced; a rotation rewrites the file', {
    timeout: 120_000,
  }, async () => {
    const file = join(dir, 'legacy-admin-token')
    writeFileSync(file, 'legacy-token-0123456789abcdef\n')
    const db = await createDatabase({ embeddedDir: 'memory://' })
    try {
      await migrate(db.sql)
      const { key, generated } = await ensureAdminToken(db.sql, { envToken: undefined, tokenFile: file })
      expect(generated).toBeUndefined()
      expect(key.source).toBe('database')
      expect(await key.verify('legacy-token-0123456789abcdef')).toBe(true)
      expect(await key.verify('another-token-0123456789abcdef')).toBe(false)
      const rotated = await rotateAdminToken(db.sql, file)
      expect(readFileSync(file, 'utf8').trim()).toBe(rotated)
      expect(await key.verify('legacy-token-0123456789abcdef')).toBe(false)
      expect(await key.verify(rotated)).toBe(true)
    } finally {
      await db.close()
    }
  })
})

function httpsGet(
  port: number,
  ca: Buffer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        servername: 'localhost',
        ca,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = ''
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
      },
    )
    req.once('error', reject)
    req.end(body ? JSON.stringify(body) : undefined)
  })
}
