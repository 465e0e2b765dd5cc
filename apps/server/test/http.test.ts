import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startServer, type TestServer } from './helpers.ts'

let server: TestServer
let logs = ''
beforeAll(async () => {
  const stream = new PassThrough()
  stream.on('data', (chunk) => {
    logs += chunk.toString()
  })
  server = await startServer({}, { logStream: stream })
})
afterAll(() => server.close())

describe('HTTP basics', () => {
  it('healthz and readyz answer', async () => {
    expect((await server.api('GET', '/healthz')).body).toEqual({ status: 'ok' })
    expect((await server.api('GET', '/readyz')).body).toEqual({ status: 'ready' })
  })

  it('unknown routes, bad JSON and oversized bodies get the shared error shape', async () => {
    const missing = await server.api('GET', '/api/nothing-here')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } })

    const badJson = await server.api('POST', '/api/auth/join', {
      rawBody: '{"code":',
      headers: { 'content-type': 'application/json' },
    })
    expect(badJson.status).toBe(400)
    expect(badJson.body.error.code).toBe('VALIDATION')

    const huge = await server.api('POST', '/api/admin/events', {
      token: ADMIN_TOKEN,
      body: { name: 'x'.repeat(70 * 1024) },
    })
    expect(huge.status).toBe(413)
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('sends a strict Content-Security-Policy', async () => {
    const res = await server.api('GET', '/healthz')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
  })

  it('serves OpenAPI generated from the shared schemas', async () => {
    const res = await server.api('GET', '/docs/json')
    expect(res.status).toBe(200)
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/admin/events', '/api/events/{eventId}/invitations', '/api/auth/join']),
    )
  })

  it('never writes tokens or invitation codes to the log', async () => {
    const { eventId } = await server.createEvent()
    const { code } = await server.invite(eventId)
    const joined = await server.api('POST', '/api/auth/join', { body: { code, displayName: 'Logger' } })
    await server.api('GET', '/api/auth/me', { token: joined.body.token })
    await server.api('GET', '/api/auth/me', { headers: { cookie: `secura_session=${joined.body.token}` } })
    await server.api('GET', `/join/${code}`)
    expect(logs.length).toBeGreaterThan(0)
    expect(logs).not.toContain(joined.body.token)
    expect(logs).not.toContain(code)
    expect(logs).not.toContain(ADMIN_TOKEN)
  })

  it('rate-limits joins per client IP', async () => {
    const limited = await startServer({ LIMIT_JOINS_PER_MIN: '3' })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await limited.api('POST', '/api/auth/join', { body: { code: 'a'.repeat(43), displayName: 'x' } }))
            .status,
        )
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429])
      const res = await limited.api('POST', '/api/auth/join', {
        body: { code: 'a'.repeat(43), displayName: 'x' },
      })
      expect(res.body.error.code).toBe('RATE_LIMITED')
      expect(res.body.error.retryAfterMs).toBeGreaterThan(0)
    } finally {
      await limited.close()
    }
  })
})
