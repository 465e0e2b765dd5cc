import type { JoinResponse, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, chatApi, emitAck, joinAll, MANY_SENDS, nextEvent, useServer } from './helpers.ts'

const server = useServer({ ...MANY_SENDS, LIMIT_CHANGE_PER_SEC: '1000', LIMIT_CHANGE_BURST: '1000' })

const as = (guest: JoinResponse) => chatApi(server, guest.token)
/** The error code of a refused ack. */
const refused = (ack: { ok: boolean; error?: { code: string } }) => (ack.ok ? 'ok' : ack.error?.code)
const failure = (res: { status: number; body: any }) => [res.status, res.body?.error?.code]
const systemOf = (messages: Message[]) => messages.filter((m) => m.system).map((m) => m.system)

async function group(owner: JoinResponse, title: string, ...members: JoinResponse[]) {
  const res = await as(owner).post('/conversations', {
    kind: 'group',
    title,
    userIds: members.map((m) => m.user.id),
  })
  expect(res.status).toBe(201)
  return res.body as { id: string; lastSeq: number; lastRev: number }
}

/** Every message of a conversation through history, oldest first. */
async function history(guest: JoinResponse, conversationId: string): Promise<Message[]> {
  const res = await as(guest).get(`/conversations/${conversationId}/messages?limit=100`)
  expect(res.status).toBe(200)
  return res.body.messages
}

describe('system lines', () => {
  it('records a group’s life in seq order, gap-free, the same through history and sync', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben, cy, di] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy', 'Di')
    const g = await group(ana, 'Team', ben)
    expect(g.lastSeq).toBe(1)
    await as(ana).send(g.id, 'hello')
    expect(
      (await as(ana).post(`/conversations/${g.id}/members`, { userIds: [cy.user.id, di.user.id] })).status,
    ).toBe(200)
    expect((await as(ana).put(`/conversations/${g.id}/title`, { title: '  Team B ' })).body.title).toBe(
      'Team B',
    )
    expect((await as(ana).del(`/conversations/${g.id}/members`, { userIds: [di.user.id] })).status).toBe(200)
    expect((await as(cy).del(`/conversations/${g.id}/members`, { userIds: [cy.user.id] })).status).toBe(200)

    const all = await history(ben, g.id)
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(systemOf(all)).toEqual([
      { type: 'group-created', actorId: ana.user.id, targetIds: [ben.user.id], title: 'Team' },
      { type: 'members-added', actorId: ana.user.id, targetIds: [cy.user.id, di.user.id], title: null },
      { type: 'group-renamed', actorId: ana.user.id, targetIds: [], title: 'Team B' },
      { type: 'member-removed', actorId: ana.user.id, targetIds: [di.user.id], title: null },
      { type: 'member-left', actorId: cy.user.id, targetIds: [cy.user.id], title: null },
    ])
    for (const line of all.filter((m) => m.system)) {
      expect(line).toMatchObject({ content: '', reactions: [], editedAt: null, deletedAt: null })
    }
    // Sync from rev 0 gives the same messages, by rev, and the head the list shows.
    const sync = await as(ben).post('/sync', { cursors: [{ conversationId: g.id, rev: 0 }] })
    const [change] = sync.body.changes
    expect(change.lastSeq).toBe(6)
    expect(change.messages.map((m: Message) => m.id)).toEqual(all.map((m) => m.id))
    const revs = change.messages.map((m: Message) => m.rev)
    expect(revs).toEqual([...revs].sort((a: number, b: number) => a - b))
    expect(change.lastRev).toBe(revs.at(-1))
    // A client that kept a rev after the rename gets only what came later.
    const renamed = all.find((m) => m.system?.type === 'group-renamed')!
    const later = await as(ben).get(`/conversations/${g.id}/messages?sinceRev=${renamed.rev}`)
    expect(later.body.messages.map((m: Message) => m.seq)).toEqual([5, 6])
    const listed = (await as(ben).get('/conversations')).body.conversations.find((c: any) => c.id === g.id)
    expect(listed).toMatchObject({ title: 'Team B', lastSeq: 6, lastRev: change.lastRev })
  })

  it('are unread for the others, never for the one who acted', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const g = await group(ana, 'Pair', ben)
    const unread = async (guest: JoinResponse) =>
      (await as(guest).get('/conversations')).body.conversations.find((c: any) => c.id === g.id).unreadCount
    expect(await unread(ana)).toBe(0)
    expect(await unread(ben)).toBe(1)
  })

  it('cannot be edited, deleted, reacted to or reported, over REST or socket', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben, mod] = await joinAll(server, eventId, 'Ana', 'Ben', 'Mo')
    await server.api('PUT', `/api/events/${eventId}/guests/${mod.user.id}/role`, {
      token: ADMIN_TOKEN,
      body: { role: 'moderator' },
    })
    const g = await group(ana, 'Locked', ben, mod)
    const [line] = await history(ana, g.id)
    const path = `/conversations/${g.id}/messages/${line!.id}`
    expect(failure(await as(ana).put(path, { content: 'x' }))).toEqual([403, 'FORBIDDEN'])
    expect(failure(await as(ana).del(path))).toEqual([403, 'FORBIDDEN'])
    expect(failure(await as(mod).del(path))).toEqual([403, 'FORBIDDEN'])
    expect(failure(await as(ben).post(`${path}/reaction`, { emoji: '👍' }))).toEqual([403, 'FORBIDDEN'])
    expect(failure(await as(ben).post(`${path}/report`, { reason: 'spam' }))).toEqual([400, 'VALIDATION'])
    const socket = await server.connect({ token: ana.token })
    const edit = await emitAck(socket, 'message:edited', { messageId: line!.id, newContent: 'x' })
    expect(refused(edit)).toBe('FORBIDDEN')
    const react = await emitAck(socket, 'message:reaction', { messageId: line!.id, emoji: '👍' })
    expect(refused(react)).toBe('FORBIDDEN')
    const [after] = await history(ana, g.id)
    expect(after).toEqual(line)
  })

  it('says in the lobby that a moderator removed a guest, in the transaction of the removal', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ben, cy] = await joinAll(server, eventId, 'Ben', 'Cy')
    const org = await server.join(eventId, 'Org', 'organizer')
    const watcher = await server.connect({ token: cy.token })
    await emitAck(watcher, 'conversation:join', { conversationId: lobbyId })
    const live = nextEvent<Message>(watcher, 'message:new')
    const res = await server.api('POST', `/api/events/${eventId}/guests/${ben.user.id}/remove`, {
      token: ADMIN_TOKEN,
      body: { reason: 'spam' },
    })
    expect(res.status).toBe(200)
    const line = await live
    expect(line.system).toEqual({
      type: 'guest-removed',
      actorId: null,
      targetIds: [ben.user.id],
      title: null,
    })
    expect(line.seq).toBe(1)
    // A refused removal (an organizer cannot be removed) writes no line.
    const before = await server.counts()
    const notAGuest = await server.api('POST', `/api/events/${eventId}/guests/${org.user.id}/remove`, {
      token: ADMIN_TOKEN,
      body: {},
    })
    expect(notAGuest.status).toBe(403)
    expect(await server.counts()).toEqual(before)
  })
})

describe('renaming a group', () => {
  it('is the owner’s, pushed live to every member, over REST and socket', async () => {
    const { eventId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const g = await group(ana, 'Old', ben)
    const benSocket = await server.connect({ token: ben.token })
    const updated = nextEvent<{ id: string; title: string }>(benSocket, 'conversation:updated')
    const received = nextEvent<{ conversationId: string; preview: string }>(
      benSocket,
      'conversation:message-received',
    )
    const anaSocket = await server.connect({ token: ana.token })
    const ack = await emitAck(anaSocket, 'conversation:rename', { conversationId: g.id, title: 'New' })
    expect(ack.ok && ack.data).toMatchObject({ id: g.id, title: 'New', lastSeq: 2 })
    expect(await updated).toMatchObject({ id: g.id, title: 'New' })
    expect(await received).toMatchObject({ conversationId: g.id, preview: 'Group renamed to “New”' })
    // Renaming to the same title changes nothing.
    const same = await as(ana).put(`/conversations/${g.id}/title`, { title: 'New' })
    expect(same.body.lastSeq).toBe(2)
  })

  it('refuses members who are not the owner, strangers, the lobby, direct chats and bad titles, storing nothing', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
    const g = await group(ana, 'Ours', ben)
    const direct = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body
    const before = await server.counts()
    const title = (id: string) => `/conversations/${id}/title`
    expect(failure(await as(ben).put(title(g.id), { title: 'Mine' }))).toEqual([403, 'FORBIDDEN'])
    expect(failure(await as(cy).put(title(g.id), { title: 'Mine' }))).toEqual([404, 'NOT_FOUND'])
    expect(failure(await as(ana).put(title(crypto.randomUUID()), { title: 'X' }))).toEqual([404, 'NOT_FOUND'])
    expect(failure(await as(ana).put(title(lobbyId), { title: 'X' }))).toEqual([400, 'VALIDATION'])
    expect(failure(await as(ana).put(title(direct.id), { title: 'X' }))).toEqual([400, 'VALIDATION'])
    for (const bad of ['', '   ', 'x'.repeat(81), 42, null]) {
      expect(failure(await as(ana).put(title(g.id), { title: bad }))).toEqual([400, 'VALIDATION'])
    }
    expect(failure(await as(ana).put(title(g.id), {}))).toEqual([400, 'VALIDATION'])
    const socket = await server.connect({ token: ben.token })
    const ack = await emitAck(socket, 'conversation:rename', { conversationId: g.id, title: 'Mine' })
    expect(refused(ack)).toBe('FORBIDDEN')
    const bad = await emitAck(socket, 'conversation:rename', { conversationId: g.id, title: '' })
    expect(refused(bad)).toBe('VALIDATION')
    expect(await server.counts()).toEqual(before)
    expect((await as(ana).get(`/conversations/${g.id}`)).body.title).toBe('Ours')
  })
})
