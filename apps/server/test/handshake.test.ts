import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSocket, PUBLIC_URL, useServer } from './helpers.ts'
import { SecurityReport } from './security/report.ts'

const report = new SecurityReport('handshake', 'socket handshake: tokens, seed ids, foreign Origin (CSWSH)')
const server = useServer()
let eventId: string
beforeAll(async () => {
  eventId = (await server.createEvent()).eventId
})
afterAll(async () => {
  report.finish()
})

async function refusal(
  auth: Record<string, unknown>,
  origin?: string,
): Promise<Error & { data?: { code: string } }> {
  try {
    const socket = await server.connect(auth, origin ? { origin } : {})
    socket.disconnect()
  } catch (error) {
    return error as Error & { data?: { code: string } }
  }
  throw new Error('the handshake was accepted')
}

describe('socket handshake on /chat', () => {
  it('accepts a valid token, with or without the seed userId/eventId, and from an allowed Origin', async () => {
    const guest = await server.join(eventId, 'Ana')
    const plain = await server.connect({ token: guest.token })
    expect(plain.connected).toBe(true)
    const seed = await server.connect({ token: guest.token, userId: guest.user.id, eventId })
    expect(seed.connected).toBe(true)
    const browser = await server.connect({ token: guest.token }, { origin: PUBLIC_URL })
    expect(browser.connected).toBe(true)
  })

  it('refuses missing, malformed, wrong and revoked tokens with UNAUTHORIZED, writing nothing', async () => {
    const guest = await server.join(eventId, 'Ben')
    const before = await server.counts()
    for (const auth of [{}, { token: '' }, { token: 42 }, { token: 'not-a-real-token' }]) {
      await report.check('refused', 'missing or malformed token', async () => {
        const error = await refusal(auth)
        expect(error.message, JSON.stringify(auth)).toBe('UNAUTHORIZED')
        expect(error.data?.code).toBe('UNAUTHORIZED')
      })
    }
    await server.api('POST', '/api/auth/logout', { token: guest.token })
    await report.check('refused', 'revoked token', async () => {
      expect((await refusal({ token: guest.token })).message).toBe('UNAUTHORIZED')
    })
    const after = await server.counts()
    expect(after).toEqual(before)
  })

  it('refuses a seed userId or eventId that does not match the session', async () => {
    const guest = await server.join(eventId, 'Cy')
    const other = await server.join(eventId, 'Di')
    await report.check('refused', 'seed userId of another user', async () => {
      expect((await refusal({ token: guest.token, userId: other.user.id })).message).toBe('UNAUTHORIZED')
    })
    const otherEvent = (await server.createEvent('Other')).eventId
    await report.check('refused', 'seed eventId of another event', async () => {
      const error = await refusal({ token: guest.token, userId: guest.user.id, eventId: otherEvent })
      expect(error.message).toBe('UNAUTHORIZED')
    })
  })

  it('refuses a foreign Origin before the upgrade (cross-site WebSocket hijacking)', async () => {
    const guest = await server.join(eventId, 'Eve')
    const connectedBefore = server.app.chat.sockets.size
    await report.check('refused', 'foreign Origin (CSWSH)', async () => {
      const error = await refusal({ token: guest.token }, 'https://evil.example')
      expect(error.message).toBe('websocket error')
      expect(server.app.chat.sockets.size).toBe(connectedBefore)
    })
    const allowed = await server.connect({ token: guest.token }, { origin: PUBLIC_URL })
    expect(server.app.chat.sockets.size).toBe(connectedBefore + 1)
    allowed.disconnect()
  })

  it('is served by socket.io registered through fastify-socket.io (app.io), on /chat', () => {
    expect(server.app.hasPlugin('fastify-socket.io')).toBe(true)
    expect(server.app.io.of('/chat')).toBe(server.app.chat)
  })

  it('takes the session from the cookie, read by the same parser as HTTP requests', async () => {
    const guest = await server.join(eventId, 'Gus')
    const withCookie = (cookie: string) => {
      const socket: ClientSocket = io(`${server.url}/chat`, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { cookie, origin: PUBLIC_URL },
      })
      return new Promise<ClientSocket>((resolve, reject) => {
        socket.once('connect', () => resolve(socket))
        socket.once('connect_error', (error) => {
          socket.close()
          reject(error)
        })
      })
    }
    const socket = await withCookie(`theme=dark; secura_session=${guest.token}; lang=en`)
    const joined = [...server.app.chat.sockets.values()].find((s) => s.id === socket.id)
    expect(joined?.data.user.id).toBe(guest.user.id)
    socket.disconnect()
    for (const cookie of ['secura_session=not-a-real-token', 'secura_session=%E0%A4%A', 'theme=dark']) {
      const error = (await withCookie(cookie).then(
        () => new Error('the handshake was accepted'),
        (e: Error) => e,
      )) as Error & { data?: { code: string } }
      expect(error.data?.code, cookie).toBe('UNAUTHORIZED')
    }
  })

  it('logout disconnects the session’s sockets', async () => {
    const guest = await server.join(eventId, 'Fay')
    const socket = await server.connect({ token: guest.token })
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve))
    await server.api('POST', '/api/auth/logout', { token: guest.token })
    expect(await disconnected).toBe('io server disconnect')
  })
})
