import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientSocket } from '../helpers.ts'
import { api, connect, createEvent, disconnectAll, join } from './clients.ts'
import { ADMIN_TOKEN, type Cluster, startCluster } from './harness.ts'

/** Removal on one instance closes the guest's sockets on both within a second; a mute holds on both. */
let cluster: Cluster
let eventId: string
let lobbyId: string
beforeAll(async () => {
  cluster = await startCluster()
  ;({ eventId, lobbyId } = await createEvent(cluster.a.url, 'Moderated'))
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

const closed = (socket: ClientSocket) =>
  new Promise<{ reason: string; at: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket is still open')), 5000)
    socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve({ reason, at: Date.now() })
    })
  })

describe('moderation across instances', () => {
  it('a removal on instance a closes the guest’s sockets on a and b within 1 s, and refuses them on both', async () => {
    const guest = await join(cluster.a.url, eventId, 'Removed')
    const sockets = [await connect(cluster.a.url, guest.token), await connect(cluster.b.url, guest.token)]
    const ends = Promise.all(sockets.map(closed))
    const at = Date.now()
    const res = await api(cluster.a.url, 'POST', `/api/events/${eventId}/guests/${guest.user.id}/remove`, {
      token: ADMIN_TOKEN,
      body: { reason: 'Spam' },
    })
    expect(res.status).toBe(200)
    for (const end of await ends) {
      expect(end.reason).toBe('io server disconnect')
      expect(end.at - at).toBeLessThan(1000)
    }
    for (const url of [cluster.a.url, cluster.b.url]) {
      expect((await api(url, 'GET', '/api/auth/me', { token: guest.token })).status).toBe(401)
      await expect(connect(url, guest.token)).rejects.toThrow()
    }
  })

  it('a mute set on instance a refuses sends on instance b', async () => {
    const guest = await join(cluster.a.url, eventId, 'Muted')
    const socket = await connect(cluster.b.url, guest.token)
    const muted = await api(cluster.a.url, 'POST', `/api/events/${eventId}/guests/${guest.user.id}/mute`, {
      token: ADMIN_TOKEN,
      body: { minutes: 5 },
    })
    expect(muted.status).toBe(200)
    const ack = await socket.timeout(5000).emitWithAck('message:send', {
      conversationId: lobbyId,
      clientMessageId: crypto.randomUUID(),
      content: 'x',
    })
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { muted: true } } })
  })
})
