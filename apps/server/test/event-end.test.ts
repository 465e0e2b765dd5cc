import type { JoinResponse } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  chatApi,
  emitAck,
  joinAll,
  MANY_SENDS,
  nextEvent,
  startServer,
  useServer,
} from './helpers.ts'

const server = useServer(MANY_SENDS)

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const refused = (ack: { ok: boolean; error?: { code: string; details?: unknown } }) =>
  ack.ok ? 'ok' : ack.error?.code
const end = (eventId: string, token = ADMIN_TOKEN) =>
  server.api('POST', `/api/events/${eventId}/end`, { token })

describe('the event ends', () => {
  it('tells connected clients live, then refuses every write over REST and socket with nothing stored', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const org = await server.join(eventId, 'Org', 'organizer')
    const g = (await as(ana).post('/conversations', { kind: 'group', title: 'G', userIds: [ben.user.id] }))
      .body
    const sent = (await as(ana).send(lobbyId, 'before the end')).body
    const clientMessageId = sent.clientMessageId
    const socket = await server.connect({ token: ana.token })
    const heard = nextEvent<{ eventId: string; endsAt: string }>(socket, 'event:ended')

    const res = await end(eventId)
    expect(res.status).toBe(200)
    expect(res.body.event.endsAt).toBeTruthy()
    expect(await heard).toEqual({ eventId, endsAt: res.body.event.endsAt })
    expect((await server.api('GET', '/api/auth/me', { token: ana.token })).body.event.endsAt).toBe(
      res.body.event.endsAt,
    )

    const before = await server.counts()
    const refusals = [
      await as(ana).send(lobbyId, 'after the end'),
      await as(ana).put(`/conversations/${lobbyId}/messages/${sent.id}`, { content: 'edited' }),
      await as(ben).post(`/conversations/${lobbyId}/messages/${sent.id}/reaction`, { emoji: '👍' }),
      await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id }),
      await as(ana).post('/conversations', { kind: 'group', title: 'New', userIds: [ben.user.id] }),
      await as(ana).put(`/conversations/${g.id}/title`, { title: 'Renamed' }),
      await as(ana).post(`/conversations/${g.id}/members`, { userIds: [org.user.id] }),
      await as(org).send(lobbyId, 'organizers read only too'),
      await server.api('POST', `/api/chat/conversations/${lobbyId}/attachments`, {
        token: ana.token,
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        rawBody:
          '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n',
      }),
    ]
    for (const r of refusals) {
      expect([r.status, r.body.error.code, r.body.error.message]).toEqual([
        403,
        'FORBIDDEN',
        'The event has ended',
      ])
      expect(r.body.error.details).toMatchObject({ ended: true, endsAt: res.body.event.endsAt })
    }
    const acks = [
      await emitAck(socket, 'message:send', {
        conversationId: lobbyId,
        content: 'x',
        clientMessageId: crypto.randomUUID(),
      }),
      await emitAck(socket, 'message:edited', { messageId: sent.id, newContent: 'x' }),
      await emitAck(socket, 'message:reaction', { messageId: sent.id, emoji: '👍' }),
      await emitAck(socket, 'conversation:rename', { conversationId: g.id, title: 'x' }),
    ]
    expect(acks.map(refused)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'])
    expect(await server.counts()).toEqual(before)

    // Still readable; a replay of a message stored before the end answers the original.
    expect((await as(ben).get(`/conversations/${lobbyId}/messages`)).body.messages).toHaveLength(1)
    const replay = await as(ana).send(lobbyId, 'before the end', { clientMessageId })
    expect([replay.status, replay.body.id]).toEqual([200, sent.id])
    expect((await as(ben).post(`/conversations/${lobbyId}/mark-as-read`, { seq: 1 })).status).toBe(200)

    // Ending it again changes nothing and says nothing.
    const again = await end(eventId)
    expect(again.body.event.endsAt).toBe(res.body.event.endsAt)
  })

  it('lets nobody new join after the end', async () => {
    const { eventId } = await server.createEvent()
    const { code } = await server.invite(eventId, { maxUses: 10 })
    await end(eventId)
    const res = await server.api('POST', '/api/auth/join', { body: { code, displayName: 'Late' } })
    expect([res.status, res.body.error.code, res.body.error.details.reason]).toEqual([
      403,
      'FORBIDDEN',
      'ended',
    ])
  })

  it('is for the admin and the event’s organizers only', async () => {
    const { eventId } = await server.createEvent()
    const other = await server.createEvent()
    const [ben, mod, guest] = await joinAll(server, eventId, 'Ben', 'Mod', 'Guest')
    const [stranger] = await joinAll(server, other.eventId, 'Stranger')
    await server.api('PUT', `/api/events/${eventId}/guests/${mod.user.id}/role`, {
      token: ADMIN_TOKEN,
      body: { role: 'moderator' },
    })
    const organizer = await server.join(eventId, 'Boss', 'organizer')
    expect((await end(eventId, guest.token)).status).toBe(403)
    expect((await end(eventId, mod.token)).status).toBe(403)
    expect((await end(eventId, ben.token)).status).toBe(403)
    expect((await end(eventId, stranger!.token)).status).toBe(404)
    expect((await end(crypto.randomUUID())).status).toBe(404)
    expect((await server.api('POST', `/api/events/${eventId}/end`)).status).toBe(401)
    expect((await server.api('POST', '/api/events/not-an-id/end', { token: ADMIN_TOKEN })).status).toBe(400)
    const me = await server.api('GET', '/api/auth/me', { token: guest.token })
    expect(me.body.event.endsAt).toBeNull()
    expect((await end(eventId, organizer.token)).status).toBe(200)
  })
})

describe('after the readable time', () => {
  it('signs nobody of the event in any more (EVENT_READABLE_DAYS=0)', async () => {
    const closing = await startServer({ EVENT_READABLE_DAYS: '0' })
    try {
      const { eventId } = await closing.createEvent()
      const guest = await closing.join(eventId, 'Ana')
      expect((await closing.api('GET', '/api/auth/me', { token: guest.token })).status).toBe(200)
      expect((await closing.api('POST', `/api/events/${eventId}/end`, { token: ADMIN_TOKEN })).status).toBe(
        200,
      )
      expect((await closing.api('GET', '/api/auth/me', { token: guest.token })).status).toBe(401)
      await expect(closing.connect({ token: guest.token })).rejects.toThrow()
      const { code } = await closing.invite(eventId)
      const res = await closing.api('POST', '/api/auth/join', { body: { code, displayName: 'B' } })
      expect([res.status, res.body.error.details.reason]).toEqual([403, 'closed'])
      // The organizers' console still exports it.
      expect((await closing.api('GET', `/api/events/${eventId}/export`, { token: ADMIN_TOKEN })).status).toBe(
        200,
      )
    } finally {
      await closing.close()
    }
  })
})
