import type { JoinResponse } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import {
  chatApi,
  emitAck,
  joinAll,
  MANY_SENDS,
  nextEvent,
  record,
  startServer,
  useServer,
  waitUntil,
} from './helpers.ts'

const server = useServer(MANY_SENDS)

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const ids = (list: { id: string }[]) => list.map((c) => c.id)
const userIds = (c: { members: { userId: string }[] }) => c.members.map((m) => m.userId).sort()
/** [status, error code] of a refused request. */
const failure = (res: { status: number; body: any }) => [res.status, res.body?.error?.code]
async function group(owner: JoinResponse, ...members: JoinResponse[]) {
  const body = { kind: 'group', title: 'G', userIds: members.map((m) => m.user.id) }
  return (await as(owner).post('/conversations', body)).body
}

describe('conversations', () => {
  it('puts the lobby in every guest’s list, with its member count and no member list', async () => {
    const { eventId, lobbyId } = await server.createEvent('Lobby')
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    for (const guest of [ana, ben]) {
      const res = await as(guest).get('/conversations')
      expect(res.status).toBe(200)
      expect(res.body.conversations).toHaveLength(1)
      expect(res.body.conversations[0]).toMatchObject({
        id: lobbyId,
        kind: 'event',
        memberCount: 2,
        members: [],
        unreadCount: 0,
        lastMessage: null,
      })
    }
    const details = await as(ana).get(`/conversations/${lobbyId}`)
    expect(details.body).toMatchObject({ id: lobbyId, kind: 'event', eventId, memberCount: 2 })
  })

  it('creates a direct conversation once: 201, then 200 with the same id from either side', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const socket = await server.connect({ token: ben.token })
    const announced = nextEvent<{ id: string }>(socket, 'conversation:created')
    const first = await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ kind: 'direct', createdById: ana.user.id, memberCount: 2 })
    expect(userIds(first.body)).toEqual([ana.user.id, ben.user.id].sort())
    expect((await announced).id).toBe(first.body.id)
    const again = await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)
    const fromBen = await as(ben).post('/conversations', { kind: 'direct', userId: ana.user.id })
    expect(fromBen.status).toBe(200)
    expect(fromBen.body.id).toBe(first.body.id)
  })

  it('creates one direct conversation when both sides ask at the same moment', async () => {
    const { eventId } = await server.createEvent()
    const [cy, di] = await joinAll(server, eventId, 'Cy', 'Di')
    const results = await Promise.all(
      [cy, di, cy, di, cy, di].map((g, i) =>
        as(g).post('/conversations', { kind: 'direct', userId: (i % 2 ? cy : di).user.id }),
      ),
    )
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201])
    const rows = await server.app.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Conversation" WHERE "eventId" = $1 AND kind = 'direct'`,
      [eventId],
    )
    expect(rows[0]?.n).toBe(1)
  })

  it('refuses a direct conversation with yourself, another event’s user or an unknown user', async () => {
    const { eventId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const [stranger] = await joinAll(server, (await server.createEvent('Other')).eventId, 'Stranger')
    const before = await server.counts()
    const self = await as(ana).post('/conversations', { kind: 'direct', userId: ana.user.id })
    expect(failure(self)).toEqual([400, 'VALIDATION'])
    for (const userId of [stranger.user.id, crypto.randomUUID()]) {
      const res = await as(ana).post('/conversations', { kind: 'direct', userId })
      expect(failure(res)).toEqual([404, 'NOT_FOUND'])
    }
    for (const body of [{ kind: 'direct' }, { kind: 'direct', userId: 'nope' }, { kind: 'circle' }]) {
      expect((await as(ana).post('/conversations', body)).status, JSON.stringify(body)).toBe(400)
    }
    const noToken = await server.api('POST', '/api/chat/conversations', {
      body: { kind: 'direct', userId: ana.user.id },
    })
    expect(failure(noToken)).toEqual([401, 'UNAUTHORIZED'])
    expect(await server.counts()).toEqual(before)
  })

  it('creates groups: creator is the owner, duplicates ignored, title trimmed and limited', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
    const [stranger] = await joinAll(server, (await server.createEvent('Other')).eventId, 'Stranger')
    const res = await as(ana).post('/conversations', {
      kind: 'group',
      title: '  Dinner  ',
      userIds: [ben.user.id, ben.user.id, ana.user.id, cy.user.id],
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ kind: 'group', title: 'Dinner', memberCount: 3 })
    const roles = Object.fromEntries(
      res.body.members.map((m: { userId: string; role: string }) => [m.userId, m.role]),
    )
    expect(roles).toEqual({ [ana.user.id]: 'owner', [ben.user.id]: 'member', [cy.user.id]: 'member' })
    const alone = await as(ben).post('/conversations', { kind: 'group', title: 'Me', userIds: [] })
    expect(alone.body.members).toEqual([expect.objectContaining({ userId: ben.user.id, role: 'owner' })])

    const before = await server.counts()
    for (const title of ['', '   ', 'x'.repeat(81)]) {
      const bad = await as(ana).post('/conversations', { kind: 'group', title, userIds: [ben.user.id] })
      expect(failure(bad), title).toEqual([400, 'VALIDATION'])
    }
    const foreign = await as(ana).post('/conversations', {
      kind: 'group',
      title: 'Mixed',
      userIds: [ben.user.id, stranger.user.id],
    })
    expect(failure(foreign)).toEqual([404, 'NOT_FOUND'])
    expect(await server.counts()).toEqual(before)
    const longest = await as(ana).post('/conversations', {
      kind: 'group',
      title: 'x'.repeat(80),
      userIds: [],
    })
    expect(longest.status).toBe(201)
  })

  it('enforces the group size limit, creator included (LIMIT_GROUP_MEMBERS=3)', async () => {
    const small = await startServer({ LIMIT_GROUP_MEMBERS: '3', LIMIT_JOINS_PER_MIN: '100000' })
    try {
      const { eventId } = await small.createEvent()
      const [ana, ben, cy, di] = await joinAll(small, eventId, 'Ana', 'Ben', 'Cy', 'Di')
      const post = (path: string, body: unknown) => chatApi(small, ana.token).post(path, body)
      const tooBig = await post('/conversations', {
        kind: 'group',
        title: 'Four',
        userIds: [ben.user.id, cy.user.id, di.user.id],
      })
      expect(failure(tooBig)).toEqual([400, 'VALIDATION'])
      const full = await post('/conversations', {
        kind: 'group',
        title: 'Three',
        userIds: [ben.user.id, cy.user.id, cy.user.id, ana.user.id],
      })
      expect([full.status, full.body.memberCount]).toEqual([201, 3])
      const add = await post(`/conversations/${full.body.id}/members`, { userIds: [di.user.id] })
      expect(failure(add)).toEqual([400, 'VALIDATION'])
      const readd = await post(`/conversations/${full.body.id}/members`, { userIds: [ben.user.id] })
      expect([readd.status, readd.body.memberCount]).toEqual([200, 3])
    } finally {
      await small.close()
    }
  })

  it('lets only the owner add and remove members; a member may leave', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben, cy, di, eve] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy', 'Di', 'Eve')
    const g = await group(ana, ben, cy)
    const path = `/conversations/${g.id}/members`
    const diSocket = await server.connect({ token: di.token })
    const created = nextEvent<{ id: string }>(diSocket, 'conversation:created')

    const byMember = await as(ben).post(path, { userIds: [di.user.id] })
    expect(failure(byMember)).toEqual([403, 'FORBIDDEN'])
    const byOutsider = await as(eve).post(path, { userIds: [eve.user.id] })
    expect(failure(byOutsider)).toEqual([404, 'NOT_FOUND'])
    const added = await as(ana).post(path, { userIds: [di.user.id] })
    expect(added.status).toBe(200)
    expect(added.body.memberCount).toBe(4)
    expect((await created).id).toBe(g.id)

    const removeOther = await as(ben).del(path, { userIds: [cy.user.id] })
    expect(failure(removeOther)).toEqual([403, 'FORBIDDEN'])
    const leave = await as(ben).del(path, { userIds: [ben.user.id] })
    expect(leave.status).toBe(200)
    const removed = await as(ana).del(path, { userIds: [cy.user.id] })
    expect(removed.status).toBe(200)
    expect(userIds(removed.body)).toEqual([ana.user.id, di.user.id].sort())
    expect((await as(ana).del(path, { userIds: [eve.user.id] })).status).toBe(404)
    const onLobby = await as(ana).post(`/conversations/${lobbyId}/members`, { userIds: [eve.user.id] })
    expect(failure(onLobby)).toEqual([400, 'VALIDATION'])
    expect(ids((await as(ben).get('/conversations')).body.conversations)).not.toContain(g.id)
  })

  it('hands the group to its longest-standing member when the owner leaves', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
    const g = await group(ana, ben, cy)
    const left = await as(ana).del(`/conversations/${g.id}/members`, { userIds: [ana.user.id] })
    expect(left.status).toBe(200)
    const owners = left.body.members.filter((m: { role: string }) => m.role === 'owner')
    expect(owners).toHaveLength(1)
    expect([ben.user.id, cy.user.id]).toContain(owners[0].userId)
    const heir = owners[0].userId === ben.user.id ? ben : cy
    const added = await as(heir).post(`/conversations/${g.id}/members`, { userIds: [ana.user.id] })
    expect(added.status).toBe(200)
  })

  it('a removed member’s connected socket stops receiving the group and cannot read it any more', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
    const { id } = await group(ana, ben, cy)
    const [benSocket, cySocket] = [
      await server.connect({ token: ben.token }),
      await server.connect({ token: cy.token }),
    ]
    for (const s of [benSocket, cySocket]) {
      expect(await emitAck(s, 'conversation:join', { conversationId: id })).toMatchObject({ ok: true })
    }
    const benSeen = record<{ content: string }>(benSocket, 'message:new')
    const cySeen = record<{ content: string }>(cySocket, 'message:new')
    await as(ana).send(id, 'before')
    await waitUntil(() => cySeen.length === 1 && benSeen.length === 1, 'first message')

    expect((await as(ana).del(`/conversations/${id}/members`, { userIds: [cy.user.id] })).status).toBe(200)
    await as(ana).send(id, 'after')
    await waitUntil(() => benSeen.some((m) => m.content === 'after'), 'second message at Ben')
    // Ben saw it, so the same broadcast would have reached Cy by now; give a slow machine a little more.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(cySeen.map((m) => m.content)).toEqual(['before'])

    expect((await as(cy).get(`/conversations/${id}/messages`)).status).toBe(404)
    expect((await as(cy).get(`/conversations/${id}`)).status).toBe(404)
    const rejoin = await emitAck(cySocket, 'conversation:join', { conversationId: id })
    expect(rejoin).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    const resend = await emitAck(cySocket, 'message:send', {
      conversationId: id,
      clientMessageId: crypto.randomUUID(),
      content: 'still here?',
    })
    expect(resend).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('lists conversations newest activity first with members, last message and read state', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
    const direct = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body
    const g = await group(cy, ana)
    await as(ben).send(direct.id, 'hi Ana')
    await as(ben).send(direct.id, 'are you there?')
    await as(ana).send(direct.id, 'yes')
    await as(ana).send(lobbyId, 'hello all')
    await as(cy).send(g.id, 'group news')
    await as(ana).post(`/conversations/${direct.id}/mark-as-read`, { seq: 1 })

    const list = (await as(ana).get('/conversations')).body.conversations
    expect(ids(list)).toEqual([g.id, lobbyId, direct.id])
    const [inGroup, lobby, d] = list
    // Seq 1 is the group's "created" line, unread for Ana too (Cy created it).
    expect(inGroup).toMatchObject({ unreadCount: 2, lastReadSeq: 0, lastSeq: 2, lastRev: 2, memberCount: 2 })
    expect(inGroup.lastMessage).toMatchObject({ content: 'group news', senderId: cy.user.id, seq: 2 })
    expect(lobby).toMatchObject({ unreadCount: 0, lastSeq: 1, lastMessage: { content: 'hello all' } })
    expect(d).toMatchObject({ unreadCount: 1, lastReadSeq: 1, lastSeq: 3, lastRev: 3 })
    expect(d.lastMessage).toMatchObject({ content: 'yes', seq: 3 })
    expect(d.members.map((m: { displayName: string }) => m.displayName).sort()).toEqual(['Ana', 'Ben'])

    const details = await as(ben).get(`/conversations/${direct.id}`)
    expect(details.body).toMatchObject({ id: direct.id, kind: 'direct', lastSeq: 3, memberCount: 2 })
    expect(details.body.members.find((m: { userId: string }) => m.userId === ana.user.id).lastReadSeq).toBe(1)
    expect(ids((await as(ben).get('/conversations')).body.conversations)).toEqual([lobbyId, direct.id])
  })

  it('previews the last message still there: a deletion at the end shows the one before; all deleted, the tombstone', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const direct = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body
    const first = (await as(ben).send(direct.id, 'see you at the bar')).body
    const last = (await as(ben).send(direct.id, 'oops, wrong chat')).body
    await as(ben).del(`/conversations/${direct.id}/messages/${last.id}`)
    const preview = async () =>
      (await as(ana).get('/conversations')).body.conversations.find((c: { id: string }) => c.id === direct.id)
    expect((await preview()).lastMessage).toMatchObject({ id: first.id, content: 'see you at the bar' })
    expect((await preview()).lastSeq).toBe(2)
    await as(ben).del(`/conversations/${direct.id}/messages/${first.id}`)
    expect((await preview()).lastMessage).toMatchObject({
      id: last.id,
      content: '',
      deletedAt: expect.any(String),
    })
  })

  it('searches the event directory case-insensitively, never another event', async () => {
    const { eventId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Anna', 'JOANNE', 'Bob', '100%_real', 'C:\\dir')
    await joinAll(server, (await server.createEvent('Other')).eventId, 'Annabel')
    const search = async (q: string) =>
      (await as(ana).get(`/users?q=${encodeURIComponent(q)}`)).body.users.map(
        (u: { displayName: string }) => u.displayName,
      )
    expect(await search('ANN')).toEqual(['Anna', 'JOANNE'])
    expect(await search('bOb')).toEqual(['Bob'])
    expect(await search('%')).toEqual(['100%_real'])
    expect(await search('_')).toEqual(['100%_real'])
    expect(await search('\\')).toEqual(['C:\\dir'])
    expect((await search('')).sort()).toEqual(['100%_real', 'Anna', 'Bob', 'C:\\dir', 'JOANNE'])
    const all = (await as(ana).get('/users')).body.users
    expect(all[0]).toMatchObject({ status: expect.stringMatching(/online|offline/), role: 'guest' })
    expect((await server.api('GET', '/api/chat/users?q=a')).status).toBe(401)
  })

  it('answers NOT_FOUND to a non-member for everything in a group, over REST and socket', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const { id } = await group(ana)
    const message = (await as(ana).send(id, 'secret')).body
    const outsider = await server.join(eventId, 'Mo', 'moderator')
    const c = `/conversations/${id}`
    const m = `${c}/messages/${message.id}`
    const before = await server.counts()
    for (const who of [ben, outsider]) {
      const api = (method: string, path: string, body?: unknown) =>
        server.api(method, `/api/chat${path}`, { token: who.token, body })
      const results = [
        await api('GET', c),
        await api('GET', `${c}/messages`),
        await api('GET', `${c}/messages?sinceRev=0`),
        await api('POST', `${c}/messages`, { clientMessageId: crypto.randomUUID(), content: 'hi' }),
        await api('PUT', m, { content: 'changed' }),
        await api('DELETE', m),
        await api('POST', `${m}/reaction`, { emoji: '👍' }),
        await api('POST', `${c}/mark-as-read`, { seq: 1 }),
      ]
      for (const res of results) expect(failure(res)).toEqual([404, 'NOT_FOUND'])
      const socket = await server.connect({ token: who.token })
      for (const [event, payload] of [
        ['conversation:join', { conversationId: id }],
        ['message:send', { conversationId: id, clientMessageId: crypto.randomUUID(), content: 'x' }],
        ['message:edited', { messageId: message.id, newContent: 'x' }],
        ['message:deleted', { messageId: message.id }],
        ['message:reaction', { messageId: message.id, emoji: '👍' }],
        ['conversation:read', { conversationId: id, seq: 1 }],
      ] as const) {
        const ack = await emitAck(socket, event, payload)
        expect(ack.ok || ack.error.code, event).toBe('NOT_FOUND')
      }
      const sync = await api('POST', '/sync', { cursors: [{ conversationId: id, rev: 0 }] })
      expect(sync.body).toEqual({ changes: [] })
    }
    expect(await server.counts()).toEqual(before)
  })
})
