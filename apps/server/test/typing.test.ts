import { randomUUID } from 'node:crypto'
import { TYPING_EXPIRY_MS } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { type ClientSocket, collect, emitAck, quiet, type Recorder, useServer } from './helpers.ts'

const server = useServer()

interface Guest {
  id: string
  token: string
  /** Opens a socket (a tab) with a recorder. */
  open(): Promise<{ socket: ClientSocket; rec: Recorder }>
}

async function guests(names: string[]): Promise<Guest[]> {
  const { eventId } = await server.createEvent('Typing')
  return Promise.all(
    names.map(async (name) => {
      const { token, user } = await server.join(eventId, name)
      const open = async () => {
        const socket = await server.connect({ token })
        return { socket, rec: collect(socket) }
      }
      return { id: user.id, token, open }
    }),
  )
}

const createConversation = (owner: Guest, body: object) =>
  server.api('POST', '/api/chat/conversations', { token: owner.token, body })

describe('typing', () => {
  async function typingWorld() {
    const [ana, ben, cy] = (await guests(['Ana', 'Ben', 'Cy'])) as [Guest, Guest, Guest]
    const group = await createConversation(ana, { kind: 'group', title: 'T', userIds: [ben.id] })
    const conversationId: string = group.body.id
    const a0 = await ana.open()
    const a1 = await ana.open()
    const b0 = await ben.open()
    const c0 = await cy.open()
    for (const tab of [a0, a1, b0]) await emitAck(tab.socket, 'conversation:join', { conversationId })
    await a0.rec.waitFor('conversation:user-joined')
    await a1.rec.waitFor('conversation:user-joined')
    for (const tab of [a0, a1, b0, c0]) tab.rec.clear()
    return { ana, ben, cy, conversationId, a0, a1, b0, c0 }
  }
  const typing = (userId: string, conversationId: string, isTyping: boolean) => ({
    conversationId,
    userId,
    isTyping,
    timestamp: expect.stringMatching(/Z$/),
  })

  it('goes to the others in the room, never to the typist’s own sockets; stop-typing and isTyping:false clear it', async () => {
    const { ana, conversationId, a0, a1, b0, c0 } = await typingWorld()
    expect(await emitAck(a0.socket, 'message:typing', { conversationId })).toEqual({ ok: true, data: null })
    expect(await b0.rec.waitFor('message:typing')).toEqual(typing(ana.id, conversationId, true))
    await emitAck(a0.socket, 'message:stop-typing', { conversationId })
    await b0.rec.waitFor('message:typing', (e) => !e.isTyping)
    await emitAck(a1.socket, 'message:typing', { conversationId, isTyping: true })
    await emitAck(a1.socket, 'message:typing', { conversationId, isTyping: false })
    // Stopping what was not started announces nothing.
    await emitAck(a1.socket, 'message:stop-typing', { conversationId })
    await quiet()
    expect(b0.rec.of('message:typing')).toEqual([
      typing(ana.id, conversationId, true),
      typing(ana.id, conversationId, false),
      typing(ana.id, conversationId, true),
      typing(ana.id, conversationId, false),
    ])
    for (const tab of [a0, a1, c0]) expect(tab.rec.received).toEqual([])
  })

  it('is cleared by the server when the typist sends and when their socket goes', async () => {
    const { ben, conversationId, a0, b0, c0 } = await typingWorld()
    await emitAck(b0.socket, 'message:typing', { conversationId })
    await a0.rec.waitFor('message:typing')
    await emitAck(b0.socket, 'message:send', {
      conversationId,
      content: 'done',
      clientMessageId: randomUUID(),
    })
    await a0.rec.waitFor('message:new')
    expect(a0.rec.names()).toEqual(['message:typing', 'message:typing', 'message:new'])
    expect(a0.rec.of('message:typing')[1]).toEqual(typing(ben.id, conversationId, false))

    // The tab Ben types in closes while his other tab stays: that tab is not typing.
    a0.rec.clear()
    const b1 = await ben.open()
    await emitAck(b0.socket, 'message:typing', { conversationId })
    await a0.rec.waitFor('message:typing')
    b0.socket.disconnect()
    const cleared = (e: { isTyping: boolean }) => !e.isTyping
    expect(await a0.rec.waitFor('message:typing', cleared, TYPING_EXPIRY_MS / 2)).toEqual(
      typing(ben.id, conversationId, false),
    )
    // His last socket goes while typing.
    a0.rec.clear()
    await emitAck(b1.socket, 'message:typing', { conversationId })
    await a0.rec.waitFor('message:typing')
    b1.socket.disconnect()
    await a0.rec.waitFor('message:typing', cleared, TYPING_EXPIRY_MS / 2)
    await quiet()
    expect(a0.rec.of('message:typing').map((e) => e.isTyping)).toEqual([true, false])
    expect(c0.rec.names('user:status')).toEqual([])
  })

  it(`expires ${TYPING_EXPIRY_MS} ms after the last refresh; a refresh keeps it alive without announcing it again`, async () => {
    const [ana, ben, dan] = (await guests(['Ana', 'Ben', 'Dan'])) as [Guest, Guest, Guest]
    const once = (await createConversation(ana, { kind: 'direct', userId: ben.id })).body.id
    const refreshed = (await createConversation(dan, { kind: 'direct', userId: ben.id })).body.id
    const [a0, b0, d0] = [await ana.open(), await ben.open(), await dan.open()]
    for (const [tab, id] of [
      [a0, once],
      [b0, once],
      [b0, refreshed],
      [d0, refreshed],
    ] as const)
      await emitAck(tab.socket, 'conversation:join', { conversationId: id })
    const started = Date.now()
    await emitAck(a0.socket, 'message:typing', { conversationId: once })
    await emitAck(d0.socket, 'message:typing', { conversationId: refreshed })
    await quiet(TYPING_EXPIRY_MS / 2)
    expect(await emitAck(d0.socket, 'message:typing', { conversationId: refreshed })).toEqual({
      ok: true,
      data: null,
    })

    const expired = await b0.rec.waitFor(
      'message:typing',
      (e) => e.conversationId === once && !e.isTyping,
      9000,
    )
    expect(expired).toEqual(typing(ana.id, once, false))
    expect(Date.now() - started).toBeGreaterThanOrEqual(TYPING_EXPIRY_MS - 500)
    // Dan refreshed half way: still typing (past his first expiry), announced once.
    await quiet(500)
    expect(b0.rec.of('message:typing').filter((e) => e.conversationId === refreshed)).toEqual([
      typing(dan.id, refreshed, true),
    ])
    await b0.rec.waitFor('message:typing', (e) => e.conversationId === refreshed && !e.isTyping, 6000)
    expect(b0.rec.of('message:typing').map((e) => [e.userId, e.isTyping])).toEqual([
      [ana.id, true],
      [dan.id, true],
      [ana.id, false],
      [dan.id, false],
    ])
  }, 20_000)

  it('is refused to non-members (NOT_FOUND), who reach nobody', async () => {
    const { conversationId, b0, c0 } = await typingWorld()
    for (const event of ['message:typing', 'message:stop-typing']) {
      const ack = await emitAck(c0.socket, event, { conversationId })
      expect(ack.ok || ack.error.code).toBe('NOT_FOUND')
    }
    await quiet()
    expect(b0.rec.received).toEqual([])
  })
})
