import { randomUUID } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { type ClientSocket, collect, emitAck, quiet, type Recorder, useServer } from './helpers.ts'

const server = useServer()

interface Tab {
  socket: ClientSocket
  rec: Recorder
}
interface Guest {
  id: string
  token: string
  tabs: Tab[]
}

async function guest(eventId: string, name: string, tabs = 1): Promise<Guest> {
  const { token, user } = await server.join(eventId, name)
  const list: Tab[] = []
  for (let i = 0; i < tabs; i++) {
    const socket = await server.connect({ token })
    list.push({ socket, rec: collect(socket) })
  }
  return { id: user.id, token, tabs: list }
}

/**
 * Ana (two tabs) and Ben (two tabs) share a group; Cy is a guest of the same event outside it; Out is a
 * guest of another event. Every recorder starts empty.
 */
async function world() {
  const { eventId, lobbyId } = await server.createEvent('Live')
  const ana = await guest(eventId, 'Ana', 2)
  const ben = await guest(eventId, 'Ben', 2)
  const cy = await guest(eventId, 'Cy')
  const out = await guest((await server.createEvent('Elsewhere')).eventId, 'Out')
  const groupId: string = (await chat('POST', ana, '', { kind: 'group', title: 'Pair', userIds: [ben.id] }))
    .body.id
  const [a0, a1] = ana.tabs as [Tab, Tab]
  const [b0, b1] = ben.tabs as [Tab, Tab]
  const [c0, o0] = [cy.tabs[0]!, out.tabs[0]!]
  await Promise.all([a0, a1, b0, b1].map((t) => t.rec.waitFor('conversation:created')))
  const everyone = [a0, a1, b0, b1, c0, o0]
  for (const t of everyone) t.rec.clear()
  return { eventId, lobbyId, groupId, ana, ben, cy, out, a0, a1, b0, b1, c0, o0, everyone }
}

/** A REST call to /api/chat/conversations<path> as `who`. */
const chat = (method: string, who: { token: string }, path: string, body?: object) =>
  server.api(method, `/api/chat/conversations${path}`, { token: who.token, body })

/** The data of a successful ack. */
function data(ack: Awaited<ReturnType<typeof emitAck>>): any {
  if (!ack.ok) throw new Error(JSON.stringify(ack.error))
  return ack.data
}

const send = (tab: Tab, conversationId: string, content: string) =>
  emitAck(tab.socket, 'message:send', { conversationId, content, clientMessageId: randomUUID() })

async function joinRoom(tab: Tab, conversationId: string): Promise<number> {
  const ack = await emitAck(tab.socket, 'conversation:join', { conversationId })
  if (!ack.ok) throw new Error(JSON.stringify(ack.error))
  expect(ack.data).toEqual({ conversationId, userCount: expect.any(Number) })
  return ack.data.userCount
}

describe('live event routing', () => {
  it('message:new goes to the conv room only (sender’s other tab included); message-received to the other members’ sockets not viewing it', async () => {
    const { groupId, ana, ben, a0, a1, b0, b1, c0, o0, everyone } = await world()
    for (const tab of [a0, a1, b0]) await joinRoom(tab, groupId)
    for (const t of [a0, a1]) await t.rec.waitFor('conversation:user-joined')
    for (const t of everyone) t.rec.clear()

    const message = data(await send(a0, groupId, '  hello group  '))
    await b1.rec.waitFor('conversation:message-received')
    for (const tab of [a0, a1, b0]) {
      expect(await tab.rec.waitFor('message:new')).toEqual(message)
    }
    await quiet()
    const { id: messageId, seq } = message
    const received = { conversationId: groupId, messageId, seq, senderId: ana.id, preview: 'hello group' }
    expect(a0.rec.names()).toEqual(['message:new'])
    expect(a1.rec.names()).toEqual(['message:new'])
    // b0 views the conversation: the message itself is all it gets, no badge on top.
    expect(b0.rec.names()).toEqual(['message:new'])
    expect(b1.rec.received).toEqual([{ event: 'conversation:message-received', payload: received }])
    for (const t of [c0, o0]) expect(t.rec.received).toEqual([])

    // Over HTTP it is the same function: the same broadcast. A replay is answered but not broadcast again.
    for (const t of everyone) t.rec.clear()
    const body = { clientMessageId: randomUUID(), content: 'over http' }
    const http = await chat('POST', ben, `/${groupId}/messages`, body)
    expect(http.status).toBe(201)
    expect((await chat('POST', ben, `/${groupId}/messages`, body)).status).toBe(200)
    await a1.rec.waitFor('message:new')
    await quiet()
    expect(b0.rec.received).toEqual([{ event: 'message:new', payload: http.body }])
    expect(b1.rec.received).toEqual([])
    expect(a0.rec.names()).toEqual(['message:new'])
    expect(a1.rec.names()).toEqual(['message:new'])
    for (const t of [c0, o0]) expect(t.rec.received).toEqual([])
  })

  it('edits, reactions and deletes reach the room with exactly the protocol §5 payloads and a rising rev', async () => {
    const { groupId, ana, ben, a0, a1, b0, b1, c0, o0, everyone } = await world()
    await joinRoom(a0, groupId)
    await joinRoom(b0, groupId)
    const sent = data(await send(a0, groupId, 'first draft'))
    const messageId = sent.id
    await b1.rec.waitFor('conversation:message-received')
    for (const t of [a0, b0]) await t.rec.waitFor('message:new')
    for (const t of everyone) t.rec.clear()
    const viewers = [a0, b0]

    const edited = data(await emitAck(a0.socket, 'message:edited', { messageId, newContent: ' second ' }))
    expect(edited.rev).toBeGreaterThan(sent.rev)
    const { editedAt, rev } = edited
    const editEvent = { conversationId: groupId, messageId, newContent: 'second', editedAt, rev }
    for (const t of viewers) expect(await t.rec.waitFor('message:edited')).toEqual(editEvent)

    const added = data(await emitAck(b0.socket, 'message:reaction', { messageId, emoji: '🎉' }))
    const addEvent = {
      conversationId: groupId,
      messageId,
      userId: ben.id,
      emoji: '🎉',
      action: 'add',
      reactions: [{ emoji: '🎉', userIds: [ben.id] }],
      rev: added.rev,
    }
    expect(addEvent.rev).toBeGreaterThan(editEvent.rev)
    for (const t of viewers) expect(await t.rec.waitFor('message:reaction')).toEqual(addEvent)

    // Removing what is not there changes nothing and tells nobody.
    const noop = data(
      await emitAck(a0.socket, 'message:reaction', { messageId, emoji: '👍', action: 'remove' }),
    )
    expect(noop.rev).toBe(addEvent.rev)

    const toggled = data(await emitAck(b0.socket, 'message:reaction', { messageId, emoji: '🎉' }))
    const removeEvent = { ...addEvent, action: 'remove', reactions: [], rev: toggled.rev }
    expect(removeEvent.rev).toBeGreaterThan(addEvent.rev)
    for (const t of viewers) {
      expect(await t.rec.waitFor('message:reaction', (e) => e.action === 'remove')).toEqual(removeEvent)
    }

    const deleted = data(await emitAck(a0.socket, 'message:deleted', { messageId }))
    const { deletedAt } = deleted
    const deleteEvent = { conversationId: groupId, messageId, deletedBy: ana.id, deletedAt, rev: deleted.rev }
    expect(deleted.rev).toBeGreaterThan(removeEvent.rev)
    for (const t of viewers) expect(await t.rec.waitFor('message:deleted')).toEqual(deleteEvent)

    await quiet()
    for (const t of viewers) {
      expect(t.rec.names()).toEqual([
        'message:edited',
        'message:reaction',
        'message:reaction',
        'message:deleted',
      ])
    }
    for (const t of [a1, b1, c0, o0]) expect(t.rec.received).toEqual([])
  })

  it('a lobby message is announced with ONE emit to the event room, leaving out the sender and other events', async () => {
    const { eventId, lobbyId, cy, a0, a1, b0, b1, c0, o0 } = await world()
    const emit = vi.spyOn(server.app.publisher, 'emit')
    try {
      const { id: messageId, seq } = data(await send(c0, lobbyId, 'hi all'))
      const received = { conversationId: lobbyId, messageId, seq, senderId: cy.id, preview: 'hi all' }
      for (const t of [a0, a1, b0, b1]) {
        expect(await t.rec.waitFor('conversation:message-received')).toEqual(received)
      }
      await quiet()
      for (const t of [a0, a1, b0, b1]) expect(t.rec.names()).toEqual(['conversation:message-received'])
      for (const t of [c0, o0]) expect(t.rec.received).toEqual([])
      const calls = emit.mock.calls.filter(([, event]) => event === 'conversation:message-received')
      expect(calls).toEqual([
        [`event:${eventId}`, 'conversation:message-received', received, [`user:${cy.id}`, `conv:${lobbyId}`]],
      ])
    } finally {
      emit.mockRestore()
    }
  })

  it('conversation:created and :updated go to each member’s sockets; a removed member stops receiving', async () => {
    const { ana, ben, cy, a0, a1, b0, b1, c0, o0, everyone } = await world()
    const created = await chat('POST', ana, '', { kind: 'group', title: 'Trio', userIds: [ben.id] })
    const groupId = created.body.id
    for (const t of [a0, a1, b0, b1]) {
      expect(await t.rec.waitFor('conversation:created')).toEqual(created.body)
    }
    const added = await chat('POST', ana, `/${groupId}/members`, { userIds: [cy.id] })
    expect(added.status).toBe(200)
    expect(await c0.rec.waitFor('conversation:created')).toEqual(added.body)
    for (const t of [a0, a1, b0, b1]) {
      expect(await t.rec.waitFor('conversation:updated')).toEqual(added.body)
    }
    await joinRoom(c0, groupId)
    await joinRoom(b0, groupId)
    await c0.rec.waitFor('conversation:user-joined')
    for (const t of everyone) t.rec.clear()

    const removed = await chat('DELETE', ana, `/${groupId}/members`, { userIds: [cy.id] })
    expect(removed.status).toBe(200)
    for (const t of [a0, a1, b0, b1, c0]) {
      expect(await t.rec.waitFor('conversation:updated')).toEqual(removed.body)
    }
    // Cy's socket was taken out of the room: Ben, viewing it, sees Cy leave.
    expect(await b0.rec.waitFor('conversation:user-left')).toEqual({
      conversationId: groupId,
      userId: cy.id,
      userCount: 1,
    })
    await send(a0, groupId, 'without cy')
    await b0.rec.waitFor('message:new')
    await quiet()
    expect(c0.rec.names()).toEqual(['conversation:updated'])

    // A direct conversation: both sides' sockets, once; asking again announces nothing.
    for (const t of everyone) t.rec.clear()
    const direct = await chat('POST', ben, '', { kind: 'direct', userId: cy.id })
    expect(direct.status).toBe(201)
    for (const t of [b0, b1, c0]) {
      expect(await t.rec.waitFor('conversation:created')).toEqual(direct.body)
    }
    expect((await chat('POST', cy, '', { kind: 'direct', userId: ben.id })).status).toBe(200)
    await quiet()
    for (const t of [b0, b1, c0]) expect(t.rec.names()).toEqual(['conversation:created'])
    for (const t of [a0, a1, o0]) expect(t.rec.received).toEqual([])
  })

  it('conversation:read: ack with the new mark, receipt to the room and the reader’s devices, only when it moves', async () => {
    const { groupId, ben, a0, a1, b0, b1, c0, o0, everyone } = await world()
    await joinRoom(a0, groupId)
    await joinRoom(b0, groupId)
    await send(a0, groupId, 'one')
    await send(a0, groupId, 'two')
    // Seq 1 is the group's "created" line: the two messages are 2 and 3.
    await b1.rec.waitFor('conversation:message-received', (e) => e.seq === 3)
    for (const t of [a0, b0]) await t.rec.waitFor('message:new', (m) => m.seq === 3)
    for (const t of everyone) t.rec.clear()

    const ack = await emitAck(b0.socket, 'conversation:read', { conversationId: groupId, seq: 3 })
    expect(ack).toEqual({ ok: true, data: { conversationId: groupId, lastReadSeq: 3 } })
    const receipt = { conversationId: groupId, userId: ben.id, seq: 3 }
    for (const t of [a0, b0, b1]) expect(await t.rec.waitFor('conversation:read')).toEqual(receipt)
    // Not forward: acked with the current mark, nobody told. Past the end: clamped to the last message.
    for (const seq of [1, 3, 99]) {
      const again = await emitAck(b1.socket, 'conversation:read', { conversationId: groupId, seq })
      expect(again).toEqual({ ok: true, data: { conversationId: groupId, lastReadSeq: 3 } })
    }
    const refused = await emitAck(c0.socket, 'conversation:read', { conversationId: groupId, seq: 1 })
    expect(refused.ok || refused.error.code).toBe('NOT_FOUND')
    await quiet()
    for (const t of [a0, b0, b1]) expect(t.rec.names()).toEqual(['conversation:read'])
    for (const t of [a1, c0, o0]) expect(t.rec.received).toEqual([])
  })

  it('join/leave: userCount counts distinct users; user-joined/-left once per user, -left on the last socket', async () => {
    const { groupId, ben, a0, a1, b0, b1, c0, o0 } = await world()
    expect(await joinRoom(a0, groupId)).toBe(1)
    expect(await joinRoom(a1, groupId)).toBe(1)
    expect(await joinRoom(a1, groupId)).toBe(1) // joining twice changes nothing
    expect(await joinRoom(b0, groupId)).toBe(2)
    const joined = { conversationId: groupId, userId: ben.id, userCount: 2 }
    for (const t of [a0, a1]) expect(await t.rec.waitFor('conversation:user-joined')).toEqual(joined)
    expect(await joinRoom(b1, groupId)).toBe(2) // Ben's second tab: nobody is told

    const leave = (t: Tab) => emitAck(t.socket, 'conversation:leave', { conversationId: groupId })
    a1.socket.disconnect() // one of Ana's tabs closes, the other still views: nobody is told
    expect(await leave(b1)).toEqual({ ok: true, data: { conversationId: groupId, userCount: 2 } })
    expect(await leave(b1)).toEqual({ ok: true, data: { conversationId: groupId, userCount: 2 } })
    b0.socket.disconnect() // Ben's last socket in the room goes
    const left = { conversationId: groupId, userId: ben.id, userCount: 1 }
    expect(await a0.rec.waitFor('conversation:user-left')).toEqual(left)

    // Not a member: NOT_FOUND, the socket is not in the room, and leaving tells nothing (not even a count).
    for (const tab of [c0, o0]) {
      for (const event of ['conversation:join', 'conversation:leave']) {
        const ack = await emitAck(tab.socket, event, { conversationId: groupId })
        expect(ack, event).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } })
      }
      expect(server.app.chat.adapter.rooms.get(`conv:${groupId}`)?.has(tab.socket.id!)).toBe(false)
    }
    const bad = await emitAck(c0.socket, 'conversation:join', { conversationId: 'nope' })
    expect(bad.ok || bad.error.code).toBe('VALIDATION')
    await send(a0, groupId, 'still here?')
    await a0.rec.waitFor('message:new')
    await quiet()
    expect(a0.rec.names()).toEqual(['conversation:user-joined', 'conversation:user-left', 'message:new'])
    expect(a1.rec.names()).toEqual(['conversation:user-joined'])
    expect(b0.rec.names()).toEqual([])
    expect(b1.rec.names()).toEqual(['conversation:message-received'])
    for (const t of [c0, o0]) expect(t.rec.received).toEqual([])
  })
})
