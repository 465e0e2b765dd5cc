import type { ConversationSummary, JoinResponse, Message, MessageReceivedEvent } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import { describe, expect, it } from 'vitest'
import { sendQueue } from '../src/modules/messages/send-queue.ts'
import { createMessageStore } from '../src/modules/messages/store.ts'
import { toMessage } from '../src/modules/messages/wire.ts'
import { chatApi, emitAck, joinAll, MANY_SENDS, nextEvent, useServer } from './helpers.ts'

const server = useServer(MANY_SENDS)

const as = (guest: JoinResponse) => chatApi(server, guest.token)

async function summaryOf(guest: JoinResponse, conversationId: string): Promise<ConversationSummary> {
  const list = await as(guest).get<{ conversations: ConversationSummary[] }>('/conversations')
  const found = list.body.conversations.find((c) => c.id === conversationId)
  if (!found) throw new Error(`no summary of ${conversationId}`)
  return found
}

/** A fresh event: its lobby, an organizer, three guests and a group of Ana and Ben only. */
async function setup() {
  const { eventId, lobbyId } = await server.createEvent()
  const [ana, ben, cleo] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cleo')
  const olga = await server.join(eventId, 'Olga', 'organizer')
  const group = await as(ana).post('/conversations', { kind: 'group', title: 'Pair', userIds: [ben.user.id] })
  return { lobbyId, groupId: group.body.id as string, ana, ben, cleo, olga }
}

describe('mentions', () => {
  it('are stored as user ids, on the message and on the badge of the other sockets', async () => {
    const { lobbyId, ana, ben } = await setup()
    const socket = await server.connect({ token: ben.token })
    const badge = nextEvent<MessageReceivedEvent>(socket, 'conversation:message-received')
    const sent = await as(ana).send(lobbyId, '@Ben hello', { mentions: [ben.user.id, ben.user.id] })
    expect(sent.status).toBe(201)
    expect(sent.body.mentions).toEqual([ben.user.id])
    expect(sent.body.mentionsHere).toBeUndefined()
    expect(await badge).toMatchObject({ messageId: sent.body.id, mentions: [ben.user.id] })
    const page = await as(ben).get<{ messages: Message[] }>(`/conversations/${lobbyId}/messages`)
    expect(page.body.messages[0]!.mentions).toEqual([ben.user.id])
  })

  it('leave the wire as it was for a message that mentions nobody', async () => {
    const { lobbyId, ana } = await setup()
    const sent = await as(ana).send(lobbyId, 'plain')
    expect(sent.body).not.toHaveProperty('mentions')
    expect(sent.body).not.toHaveProperty('mentionsHere')
  })

  it('refuse a user who cannot see the conversation, over REST and the socket, and store nothing', async () => {
    const { groupId, ana, cleo } = await setup()
    const { eventId: otherEvent } = await server.createEvent('Other')
    const [stranger] = await joinAll(server, otherEvent, 'Stranger')
    for (const outsider of [cleo.user.id, stranger.user.id, crypto.randomUUID()]) {
      const res = await as(ana).send(groupId, 'hi', { mentions: [outsider] })
      expect(res.status).toBe(400)
      expect(res.body.error).toMatchObject({ code: 'VALIDATION' })
    }
    const socket = await server.connect({ token: ana.token })
    const ack = await emitAck(socket, 'message:send', {
      conversationId: groupId,
      content: 'hi',
      clientMessageId: crypto.randomUUID(),
      mentions: [cleo.user.id],
    })
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    const page = await as(ana).get<{ messages: Message[] }>(`/conversations/${groupId}/messages`)
    // Only the server's "created" line is there.
    expect(page.body.messages.filter((m) => !m.system)).toEqual([])
  })

  it('refuse malformed ids and more than the limit with a clear error', async () => {
    const { lobbyId, ana, ben } = await setup()
    const bad = await as(ana).send(lobbyId, 'hi', { mentions: ['not-an-id'] })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION')
    const many = await as(ana).send(lobbyId, 'hi', { mentions: Array(51).fill(ben.user.id) })
    expect(many.status).toBe(400)
  })

  it('@here is for organizers, in the lobby only', async () => {
    const { lobbyId, groupId, ana, ben, olga } = await setup()
    const byGuest = await as(ana).send(lobbyId, '@here', { mentionsHere: true })
    expect(byGuest.status).toBe(403)
    expect(byGuest.body.error.code).toBe('FORBIDDEN')
    const inGroup = await as(ana).send(groupId, '@here', { mentionsHere: true })
    expect(inGroup.status).toBe(400)
    const byOrganizer = await as(olga).send(lobbyId, '@here doors open', { mentionsHere: true })
    expect(byOrganizer.status).toBe(201)
    expect(byOrganizer.body.mentionsHere).toBe(true)
    expect((await summaryOf(ben, lobbyId)).mentionCount).toBe(1)
    expect((await summaryOf(olga, lobbyId)).mentionCount).toBe(0)
  })

  it('are counted per conversation among the unread, survive a new session and clear on read', async () => {
    const { lobbyId, groupId, ana, ben, cleo } = await setup()
    await as(ana).send(groupId, 'one', { mentions: [ben.user.id] })
    await as(ana).send(groupId, 'two')
    const third = await as(ana).send(groupId, 'three', { mentions: [ben.user.id] })
    await as(cleo).send(lobbyId, 'hey Ben', { mentions: [ben.user.id] })
    await as(cleo).send(lobbyId, 'hey Ana', { mentions: [ana.user.id] })
    // A mention of myself is not counted, nor kept.
    const self = await as(ben).send(lobbyId, 'me', { mentions: [ben.user.id] })
    expect(self.body).not.toHaveProperty('mentions')

    // The group's "created" line (seq 1) is unread for Ben too.
    expect(await summaryOf(ben, groupId)).toMatchObject({ unreadCount: 4, mentionCount: 2 })
    expect(await summaryOf(ben, lobbyId)).toMatchObject({ unreadCount: 2, mentionCount: 1 })
    expect(await summaryOf(ana, groupId)).toMatchObject({ unreadCount: 0, mentionCount: 0 })

    // A deleted mention no longer counts.
    await as(ana).del(`/conversations/${groupId}/messages/${third.body.id}`)
    expect(await summaryOf(ben, groupId)).toMatchObject({ unreadCount: 3, mentionCount: 1 })

    // Read up to the first message (seq 2, after the "created" line): the mention in it is read, over the
    // socket as over REST.
    const socket = await server.connect({ token: ben.token })
    expect(await emitAck(socket, 'conversation:read', { conversationId: groupId, seq: 2 })).toMatchObject({
      ok: true,
    })
    socket.disconnect()
    expect(await summaryOf(ben, groupId)).toMatchObject({ unreadCount: 1, mentionCount: 0 })
    const read = await as(ben).post(`/conversations/${lobbyId}/mark-as-read`, { seq: 3 })
    expect(read.body).toMatchObject({ unreadCount: 0, mentionCount: 0 })
  })

  it('travel through a batched statement as through a single one', async () => {
    const { lobbyId, ana, ben, cleo } = await setup()
    const viewer = { id: ana.user.id, eventId: ana.user.eventId, role: ana.user.role }
    const queue = sendQueue(createMessageStore(server.app.db.prisma), { writers: 1 })
    const mentioned = [[], [ben.user.id], [ben.user.id, cleo.user.id], []]
    // Queued in one turn: one statement for all eight.
    const rows = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        queue.insert({
          viewer,
          id: uuidv7(),
          conversationId: lobbyId,
          clientMessageId: uuidv7(),
          content: `m${i}`,
          replyToId: null,
          mentions: mentioned[i % 4]!,
          mentionsHere: i === 3,
        }),
      ),
    )
    const messages = rows.map((row) => toMessage(row!))
    expect(messages.map((m) => m.mentions ?? [])).toEqual(
      Array.from({ length: 8 }, (_, i) => mentioned[i % 4]),
    )
    expect(messages.map((m) => m.mentionsHere === true)).toEqual(Array.from({ length: 8 }, (_, i) => i === 3))
    expect(await summaryOf(cleo, lobbyId)).toMatchObject({ unreadCount: 8, mentionCount: 3 })
  })
})
