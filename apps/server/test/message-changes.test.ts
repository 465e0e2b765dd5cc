import type { JoinResponse, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import {
  type ClientSocket,
  chatApi,
  emitAck,
  joinAll,
  MANY_SENDS,
  nextEvent,
  record,
  useServer,
  waitUntil,
} from './helpers.ts'

const server = useServer(MANY_SENDS)

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
async function viewer(guest: JoinResponse, conversationId: string): Promise<ClientSocket> {
  const socket = await server.connect({ token: guest.token })
  expect(await emitAck(socket, 'conversation:join', { conversationId })).toMatchObject({ ok: true })
  return socket
}
const refused = (code: string) => ({ ok: false, error: { code } })

describe('edits', () => {
  it('only the sender edits, never a deleted message; the room gets message:edited', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const direct = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body.id
    const message: Message = (await as(ana).send(direct, 'draft')).body
    const path = `/conversations/${direct}/messages/${message.id}`
    const benSocket = await viewer(ben, direct)
    const anaSocket = await server.connect({ token: ana.token })

    const notMine = await as(ben).put(path, { content: 'hijack' })
    expect([notMine.status, notMine.body.error.code]).toEqual([403, 'FORBIDDEN'])
    const notMineSocket = await emitAck(benSocket, 'message:edited', {
      messageId: message.id,
      newContent: 'x',
    })
    expect(notMineSocket).toMatchObject(refused('FORBIDDEN'))
    expect((await as(ana).put(path, { content: '   ' })).body.error.code).toBe('VALIDATION')
    const elsewhere = await as(ana).put(`/conversations/${crypto.randomUUID()}/messages/${message.id}`, {
      content: 'x',
    })
    expect(elsewhere.status).toBe(404)

    const edited = nextEvent<Record<string, unknown>>(benSocket, 'message:edited')
    const res = await as(ana).put(path, { content: ' final ' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: message.id, content: 'final', editedAt: ISO, seq: 1, rev: 2 })
    expect(await edited).toEqual({
      conversationId: direct,
      messageId: message.id,
      newContent: 'final',
      editedAt: res.body.editedAt,
      rev: 2,
    })
    const bySocket = await emitAck<Message>(anaSocket, 'message:edited', {
      messageId: message.id,
      newContent: 'v3',
    })
    expect(bySocket).toMatchObject({ ok: true, data: { content: 'v3', rev: 3 } })

    await as(ana).del(path)
    const afterDelete = await as(ana).put(path, { content: 'resurrect' })
    expect([afterDelete.status, afterDelete.body.error.code]).toEqual([409, 'CONFLICT'])
    const afterDeleteSocket = await emitAck(anaSocket, 'message:edited', {
      messageId: message.id,
      newContent: 'x',
    })
    expect(afterDeleteSocket).toMatchObject(refused('CONFLICT'))
    const stored = (await as(ben).get(`/conversations/${direct}/messages`)).body.messages[0]
    expect(stored).toMatchObject({ content: '', deletedBy: ana.user.id })
  })
})

describe('deletes', () => {
  it('the sender, and staff where they can see it, leave a tombstone; guests and outsiders cannot', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [gus, hal] = await joinAll(server, eventId, 'Gus', 'Hal')
    const mod = await server.join(eventId, 'Mod', 'moderator')
    const org = await server.join(eventId, 'Org', 'organizer')
    const watcher = await viewer(hal, lobbyId)
    const own: Message = (await as(gus).send(lobbyId, 'oops')).body
    await as(hal).post(`/conversations/${lobbyId}/messages/${own.id}/reaction`, { emoji: '😂' })

    const byGuest = await as(hal).del(`/conversations/${lobbyId}/messages/${own.id}`)
    expect([byGuest.status, byGuest.body.error.code]).toEqual([403, 'FORBIDDEN'])
    expect(await emitAck(watcher, 'message:deleted', { messageId: own.id })).toMatchObject(
      refused('FORBIDDEN'),
    )

    const announced = nextEvent<Record<string, unknown>>(watcher, 'message:deleted')
    const tomb = await as(gus).del(`/conversations/${lobbyId}/messages/${own.id}`)
    expect(tomb.status).toBe(200)
    expect(tomb.body).toMatchObject({
      id: own.id,
      seq: 1,
      content: '',
      deletedAt: ISO,
      deletedBy: gus.user.id,
    })
    expect(tomb.body.reactions).toEqual([])
    expect(await announced).toEqual({
      conversationId: lobbyId,
      messageId: own.id,
      deletedBy: gus.user.id,
      deletedAt: tomb.body.deletedAt,
      rev: tomb.body.rev,
    })
    expect((await as(gus).del(`/conversations/${lobbyId}/messages/${own.id}`)).body).toEqual(tomb.body)
    const onDeleted = await as(hal).post(`/conversations/${lobbyId}/messages/${own.id}/reaction`, {
      emoji: '👍',
    })
    expect([onDeleted.status, onDeleted.body.error.code]).toEqual([409, 'CONFLICT'])

    const hals: Message = (await as(hal).send(lobbyId, 'spam')).body
    const byMod = await as(mod).del(`/conversations/${lobbyId}/messages/${hals.id}`)
    expect(byMod.body).toMatchObject({ content: '', deletedBy: mod.user.id })

    const withOrg = (
      await as(gus).post('/conversations', { kind: 'group', title: 'G', userIds: [org.user.id] })
    ).body
    const inGroup: Message = (await as(gus).send(withOrg.id, 'rude')).body
    const orgSocket = await server.connect({ token: org.token })
    const byOrg = await emitAck<Message>(orgSocket, 'message:deleted', { messageId: inGroup.id })
    expect(byOrg).toMatchObject({ ok: true, data: { deletedBy: org.user.id, content: '' } })

    const private_ = (
      await as(gus).post('/conversations', { kind: 'group', title: 'P', userIds: [hal.user.id] })
    ).body
    const secret: Message = (await as(hal).send(private_.id, 'secret')).body
    const outsider = await as(mod).del(`/conversations/${private_.id}/messages/${secret.id}`)
    expect([outsider.status, outsider.body.error.code]).toEqual([404, 'NOT_FOUND'])
    const modSocket = await server.connect({ token: mod.token })
    expect(await emitAck(modSocket, 'message:deleted', { messageId: secret.id })).toMatchObject(
      refused('NOT_FOUND'),
    )

    const history = (await as(hal).get(`/conversations/${lobbyId}/messages`)).body.messages
    expect(history.map((m: Message) => [m.seq, m.content])).toEqual([
      [1, ''],
      [2, ''],
    ])
  })
})

describe('reactions', () => {
  it('add, remove and toggle one RGI emoji per call; the room gets message:reaction', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const message: Message = (await as(ana).send(lobbyId, 'react to me')).body
    const path = `/conversations/${lobbyId}/messages/${message.id}/reaction`
    const anaSocket = await viewer(ana, lobbyId)
    const benSocket = await server.connect({ token: ben.token })
    const events = record<Record<string, unknown>>(anaSocket, 'message:reaction')
    const react = async (who: JoinResponse, body: unknown) => {
      const res = await as(who).post(path, body)
      expect(res.status, JSON.stringify(body)).toBe(200)
      return res.body.reactions
    }
    const A = ana.user.id
    const B = ben.user.id

    expect(await react(ana, { emoji: '👍' })).toEqual([{ emoji: '👍', userIds: [A] }])
    expect(await react(ben, { emoji: '👍', action: 'add' })).toEqual([{ emoji: '👍', userIds: [A, B] }])
    expect(await react(ben, { emoji: '👍', action: 'add' })).toEqual([{ emoji: '👍', userIds: [A, B] }])
    const heart = await emitAck<Message>(benSocket, 'message:reaction', { messageId: message.id, emoji: '❤️' })
    expect(heart).toMatchObject({ ok: true })
    expect(heart.ok && heart.data.reactions).toEqual([
      { emoji: '👍', userIds: [A, B] },
      { emoji: '❤️', userIds: [B] },
    ])
    expect(await react(ana, { emoji: '👍', action: 'remove' })).toEqual([
      { emoji: '👍', userIds: [B] },
      { emoji: '❤️', userIds: [B] },
    ])
    expect(await react(ana, { emoji: '👍', action: 'remove' })).toHaveLength(2)
    expect(await react(ben, { emoji: '👍' })).toEqual([{ emoji: '❤️', userIds: [B] }])
    for (const [i, emoji] of ['👍🏽', '🇫🇷', '👨‍👩‍👧'].entries()) {
      expect(await react(ana, { emoji }), emoji).toContainEqual({ emoji, userIds: [A] })
      expect(
        (await as(ben).get(`/conversations/${lobbyId}/messages`)).body.messages[0].reactions,
      ).toHaveLength(i + 2)
    }

    // No-ops (a second add, a remove of nothing) change nothing and are not broadcast.
    await waitUntil(() => events.length === 8, 'eight reaction broadcasts')
    expect(events.map((e) => [e.userId, e.emoji, e.action])).toEqual([
      [A, '👍', 'add'],
      [B, '👍', 'add'],
      [B, '❤️', 'add'],
      [A, '👍', 'remove'],
      [B, '👍', 'remove'],
      [A, '👍🏽', 'add'],
      [A, '🇫🇷', 'add'],
      [A, '👨‍👩‍👧', 'add'],
    ])
    expect(events[2]).toMatchObject({
      conversationId: lobbyId,
      messageId: message.id,
      rev: expect.any(Number),
    })

    const before = await server.counts()
    for (const body of [
      { emoji: '👍👍' },
      { emoji: 'a' },
      { emoji: '' },
      { emoji: ':)' },
      { emoji: '👍 ' },
      { emoji: '👍', action: 'flip' },
    ]) {
      const res = await as(ana).post(path, body)
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION'])
      const ack = await emitAck(benSocket, 'message:reaction', { messageId: message.id, ...body })
      expect(ack, JSON.stringify(body)).toMatchObject(refused('VALIDATION'))
    }
    expect(await server.counts()).toEqual(before)
  })
})

describe('read state', () => {
  it('mark-as-read never moves back, clamps to lastSeq, and reaches the room and my other devices', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const direct = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body.id
    for (let i = 1; i <= 5; i++) await as(ben).send(direct, `m${i}`)
    await as(ana).send(direct, 'mine')
    const unread = async (who: JoinResponse) => {
      const list = (await as(who).get('/conversations')).body.conversations
      const c = list.find((x: { id: string }) => x.id === direct)
      return [c.unreadCount, c.lastReadSeq]
    }
    expect(await unread(ana)).toEqual([5, 0])
    expect(await unread(ben)).toEqual([1, 0])

    const phone = await server.connect({ token: ana.token })
    const laptop = await server.connect({ token: ana.token })
    const benSocket = await viewer(ben, direct)
    const toBen = nextEvent(benSocket, 'conversation:read')
    const toLaptop = nextEvent(laptop, 'conversation:read')
    const ack = await emitAck(phone, 'conversation:read', { conversationId: direct, seq: 3 })
    expect(ack).toEqual({ ok: true, data: { conversationId: direct, lastReadSeq: 3 } })
    const receipt = { conversationId: direct, userId: ana.user.id, seq: 3 }
    expect(await toBen).toEqual(receipt)
    expect(await toLaptop).toEqual(receipt)
    // The second device (same token, over REST) sees what the first one read.
    expect(await unread(ana)).toEqual([2, 3])

    const receipts = record(benSocket, 'conversation:read')
    const back = await as(ana).post(`/conversations/${direct}/mark-as-read`, { seq: 1 })
    expect(back.body).toEqual({ conversationId: direct, lastReadSeq: 3, unreadCount: 2, mentionCount: 0 })
    const past = await as(ana).post(`/conversations/${direct}/mark-as-read`, { seq: 99 })
    expect(past.body).toEqual({ conversationId: direct, lastReadSeq: 6, unreadCount: 0, mentionCount: 0 })
    await waitUntil(() => receipts.length > 0, 'the clamped receipt')
    expect(receipts).toEqual([{ ...receipt, seq: 6 }])

    await as(ben).send(direct, 'm7')
    const gone: Message = (await as(ben).send(direct, 'm8')).body
    await as(ben).del(`/conversations/${direct}/messages/${gone.id}`)
    expect(await unread(ana)).toEqual([1, 6])
    for (const seq of [-1, 'x', 1.5]) {
      const res = await as(ana).post(`/conversations/${direct}/mark-as-read`, { seq })
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION'])
    }
  })
})
