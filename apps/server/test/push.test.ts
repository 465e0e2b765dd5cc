// Web Push for real: a push service of the test's own on 127.0.0.1 receives what the server sends, and the
// test decrypts it (RFC 8291, aes128gcm) with keys made as a browser makes them, and checks the VAPID JWT.
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { JoinResponse } from '@secura/shared'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer, useServer } from './helpers.ts'

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
}

/** A push service: records every request, answers with the status set for its path (201 by default). */
async function pushService() {
  const received: Received[] = []
  const statusOf = new Map<string, number>()
  const waiters: (() => void)[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(statusOf.get(req.url ?? '') ?? 201).end()
      for (const w of waiters.splice(0)) w()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no address')
  const origin = `http://127.0.0.1:${address.port}`
  return {
    origin,
    received,
    statusOf,
    /** Resolves once `count` requests have arrived. */
    async until(count: number) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve))
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** A subscription as a browser makes one: a P-256 key pair and a 16-byte auth secret. */
function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  const auth = randomBytes(16)
  return {
    ecdh,
    auth,
    json: {
      endpoint,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    },
  }
}

/** RFC 8291 §3.4 and RFC 8188: the browser's side of aes128gcm. */
function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body[20] as number
  const serverPublic = body.subarray(21, 21 + idLength)
  const ciphertext = body.subarray(21 + idLength)
  expect(idLength).toBe(65)
  expect(ciphertext.length).toBeLessThanOrEqual(recordSize)
  const shared = ecdh.computeSecret(serverPublic)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), serverPublic])
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ])
  // The last record: the data, then the delimiter 0x02, then zero padding.
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end--
  expect(padded[end]).toBe(2)
  return padded.subarray(0, end).toString('utf8')
}

/** `vapid t=<JWT>, k=<public key>`: the ES256 signature checked with that key; the claims returned. */
function verifyVapid(authorization: string | undefined, expectedKey: string) {
  const match = /^vapid t=([^,]+), k=(.+)$/.exec(authorization ?? '')
  expect(match).not.toBeNull()
  const [, jwt, key] = match as unknown as [string, string, string]
  expect(key).toBe(expectedKey)
  const [header, claims, signature] = jwt.split('.') as [string, string, string]
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256' })
  const raw = Buffer.from(key, 'base64url')
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  })
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  expect(valid).toBe(true)
  return JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; exp: number; sub: string }
}

describe('Web Push', () => {
  let server: TestServer
  let service: Awaited<ReturnType<typeof pushService>>
  let eventId: string
  let lobbyId: string
  let ana: JoinResponse
  let ben: JoinResponse

  const api = (who: JoinResponse) => ({
    get: (path: string) => server.api('GET', path, { token: who.token }),
    put: (path: string, body: unknown) => server.api('PUT', path, { token: who.token, body }),
    post: (path: string, body: unknown) => server.api('POST', path, { token: who.token, body }),
    delete: (path: string, body: unknown) => server.api('DELETE', path, { token: who.token, body }),
  })
  const send = (who: JoinResponse, conversationId: string, content: string, extra = {}) =>
    api(who).post(`/api/chat/conversations/${conversationId}/messages`, {
      clientMessageId: randomBytes(8).toString('hex'),
      content,
      ...extra,
    })
  const direct = async (from: JoinResponse, to: JoinResponse) =>
    (await api(from).post('/api/chat/conversations', { kind: 'direct', userId: to.user.id })).body
      .id as string
  const subscribe = async (who: JoinResponse, path: string) => {
    const sub = browserSubscription(`${service.origin}${path}`)
    const res = await api(who).post('/api/push/subscriptions', sub.json)
    expect(res.status).toBe(201)
    return sub
  }
  /** Every push queued so far has been sent and answered. */
  const settled = async () => {
    await new Promise((resolve) => setImmediate(resolve))
    for (let i = 0; i < 50; i++) {
      await server.app.services.push.idle()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  beforeAll(async () => {
    service = await pushService()
    // No grace after a socket closes: a guest who closed the app is pushed to at once.
    server = await startServer({
      PUSH_ALLOW_LOOPBACK: 'true',
      VAPID_SUBJECT: 'mailto:ops@example.org',
      PRESENCE_GRACE_MS: '0',
    })
    ;({ eventId, lobbyId } = await server.createEvent())
    ana = await server.join(eventId, 'Ana')
    ben = await server.join(eventId, 'Ben')
  })
  afterAll(async () => {
    await server.close()
    await service.close()
  })
  afterEach(async () => {
    // Each test starts with no subscription, so each counts only its own pushes.
    await settled()
    await server.app.db.prisma.pushSubscription.deleteMany({})
    service.received.length = 0
  })

  it('delivers a direct message encrypted to the subscription, signed with the VAPID key', async () => {
    const key = (await api(ben).get('/api/push/key')).body.publicKey as string
    expect(key).toMatch(/^[A-Za-z0-9_-]{87}$/)
    const sub = await subscribe(ben, '/ben-1')
    const conversationId = await direct(ana, ben)
    const sent = await send(ana, conversationId, 'Dinner at eight?')
    expect(sent.status).toBe(201)
    await service.until(1)

    const [push] = service.received as [Received]
    expect(push.path).toBe('/ben-1')
    expect(push.headers.ttl).toBe('3600')
    expect(push.headers.urgency).toBe('high')
    expect(push.headers['content-encoding']).toBe('aes128gcm')
    expect(push.headers.topic).toBe(conversationId.replaceAll('-', ''))
    const claims = verifyVapid(push.headers.authorization, key)
    expect(claims.aud).toBe(service.origin)
    expect(claims.sub).toBe('mailto:ops@example.org')
    expect(claims.exp * 1000).toBeGreaterThan(Date.now())
    expect(claims.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000)
    expect(JSON.parse(decrypt(push.body, sub.ecdh, sub.auth))).toEqual({
      title: 'Ana',
      body: 'Dinner at eight?',
      url: `/c/${conversationId}/m/${sent.body.id}`,
      tag: conversationId,
    })
  })

  it("pushes a mention in the lobby, never the lobby's chatter", async () => {
    const sub = await subscribe(ben, '/ben-2')
    await send(ana, lobbyId, 'Anyone for coffee?')
    await send(ana, lobbyId, '@Ben coffee?', { mentions: [ben.user.id] })
    await service.until(1)
    await settled()
    const toBen = service.received.filter((r) => r.path === '/ben-2')
    expect(toBen).toHaveLength(1)
    expect(JSON.parse(decrypt((toBen[0] as Received).body, sub.ecdh, sub.auth))).toMatchObject({
      title: 'Ana · Test event',
      body: '@Ben coffee?',
    })
  })

  it('pushes an announcement to every guest of the event, titled as one', async () => {
    const organizer = await server.join(eventId, 'Olga', 'organizer')
    const sub = await subscribe(ben, '/ben-announce')
    const sent = await send(organizer, lobbyId, 'Doors open at nine', { announcement: true })
    expect(sent.status).toBe(201)
    await service.until(1)
    await settled()
    const toBen = service.received.filter((r) => r.path === '/ben-announce')
    expect(toBen).toHaveLength(1)
    expect((toBen[0] as Received).headers.urgency).toBe('normal')
    expect(JSON.parse(decrypt((toBen[0] as Received).body, sub.ecdh, sub.auth))).toEqual({
      title: 'Announcement · Test event',
      body: 'Doors open at nine',
      url: `/c/${lobbyId}/m/${sent.body.id}`,
      tag: lobbyId,
    })
  })

  it('a muted conversation pushes nothing, and the mute reaches the other devices', async () => {
    await subscribe(ben, '/ben-3')
    const conversationId = await direct(ana, ben)
    const other = await server.connect({ token: ben.token })
    const synced = new Promise((resolve) => other.once('notifications:updated', resolve))
    const muted = await api(ben).put(`/api/chat/conversations/${conversationId}/mute`, { muted: true })
    expect(muted.status).toBe(200)
    expect(muted.body.mutedConversationIds).toContain(conversationId)
    expect(await synced).toEqual(muted.body)
    other.disconnect()
    await new Promise((resolve) => setTimeout(resolve, 50))

    await send(ana, conversationId, 'Muted, so silent')
    await settled()
    expect(service.received).toEqual([])

    // Over the socket too, and back on: the next message is pushed.
    const socket = await server.connect({ token: ben.token })
    const ack = await socket.emitWithAck('conversation:mute', { conversationId, muted: false })
    expect(ack).toMatchObject({ ok: true, data: { mutedConversationIds: [] } })
    socket.disconnect()
    await new Promise((resolve) => setTimeout(resolve, 200))
    await send(ana, conversationId, 'Audible again')
    await service.until(1)
  })

  it('quiet hours push nothing while they last, in the guest own time zone', async () => {
    await subscribe(ben, '/ben-4')
    const conversationId = await direct(ana, ben)
    // A window around the current time in Tokyo (UTC+9, no daylight saving).
    const tokyo = new Date(Date.now() + 9 * 3600 * 1000)
    const hhmm = (d: Date) => d.toISOString().slice(11, 16)
    const quietHours = {
      start: hhmm(new Date(tokyo.getTime() - 3600 * 1000)),
      end: hhmm(new Date(tokyo.getTime() + 3600 * 1000)),
      timeZone: 'Asia/Tokyo',
    }
    const set = await api(ben).put('/api/chat/notifications/quiet-hours', { quietHours })
    expect(set.status).toBe(200)
    expect(set.body.quietHours).toEqual(quietHours)
    expect((await api(ben).get('/api/chat/notifications')).body.quietHours).toEqual(quietHours)
    await send(ana, conversationId, 'Sleep well')
    await settled()
    expect(service.received).toEqual([])

    await api(ben).put('/api/chat/notifications/quiet-hours', { quietHours: null })
    await send(ana, conversationId, 'Good morning')
    await service.until(1)
  })

  it('a 410 Gone deletes the subscription; a 500 keeps it and is not retried', async () => {
    await subscribe(ben, '/ben-gone')
    const conversationId = await direct(ana, ben)
    service.statusOf.set('/ben-gone', 410)
    await send(ana, conversationId, 'Anyone there?')
    await service.until(1)
    await settled()
    expect(await countSubscriptions('/ben-gone')).toBe(0)

    await subscribe(ben, '/ben-500')
    service.statusOf.set('/ben-500', 500)
    service.received.length = 0
    await send(ana, conversationId, 'Still there?')
    await service.until(1)
    await settled()
    expect(service.received).toHaveLength(1)
    expect(await countSubscriptions('/ben-500')).toBe(1)
    const metrics = await server.api('GET', '/metrics', { token: 'test-admin-token-0123456789abcdef' })
    expect(metrics.body).toMatch(/secura_push_total\{result="gone"\} 1/)
    expect(metrics.body).toMatch(/secura_push_total\{result="failed"\} 1/)
    await api(ben).delete('/api/push/subscriptions', { endpoint: `${service.origin}/ben-500` })
    expect(await countSubscriptions('/ben-500')).toBe(0)
  })

  it('a guest with the app open gets the toast, not a push', async () => {
    await subscribe(ben, '/ben-5')
    const conversationId = await direct(ana, ben)
    const socket = await server.connect({ token: ben.token })
    await send(ana, conversationId, 'You are here')
    await settled()
    expect(service.received).toEqual([])
    socket.disconnect()
  })

  it('one subscription per session: a new one replaces the last', async () => {
    await subscribe(ben, '/ben-old')
    await subscribe(ben, '/ben-new')
    expect(await countSubscriptions('/ben-old')).toBe(0)
    expect(await countSubscriptions('/ben-new')).toBe(1)
  })

  it('logout deletes the session’s subscription', async () => {
    const carl = await server.join(eventId, 'Carl')
    await subscribe(carl, '/carl')
    expect(await countSubscriptions('/carl')).toBe(1)
    expect((await server.api('POST', '/api/auth/logout', { token: carl.token })).status).toBe(204)
    expect(await countSubscriptions('/carl')).toBe(0)
  })

  it('refuses endpoints that are not https on a public address', async () => {
    const keys = browserSubscription('').json.keys
    for (const endpoint of [
      'http://push.example.com/x',
      'https://10.0.0.5/x',
      'https://192.168.1.1/x',
      'https://[::1]/x',
      'https://localhost/x',
      'http://127.0.0.2:9/x',
      'ftp://push.example.com/x',
      'not a url at all',
    ]) {
      const res = await api(ben).post('/api/push/subscriptions', { endpoint, keys })
      expect(res.status, endpoint).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION')
    }
    const bad = await api(ben).put('/api/chat/notifications/quiet-hours', {
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' },
    })
    expect(bad.status).toBe(400)
  })

  async function countSubscriptions(path: string) {
    return server.app.db.prisma.pushSubscription.count({ where: { endpoint: `${service.origin}${path}` } })
  }
})

describe('Web Push endpoints in production', () => {
  const server = useServer()

  it('refuses http://127.0.0.1 without PUSH_ALLOW_LOOPBACK', async () => {
    const ben = await server.join((await server.createEvent()).eventId, 'Ben')
    const res = await server.api('POST', '/api/push/subscriptions', {
      token: ben.token,
      body: browserSubscription('http://127.0.0.1:9/push').json,
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
  })
})
