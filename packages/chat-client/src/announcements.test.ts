import type { Conversation, Message } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeServer } from './testing/fake-server.ts'
import { type Client, createClient, ME, OTHER, uniqueDb, waitFor } from './testing/harness.ts'

const now = () => new Date().toISOString()

describe('pins, announcements and lobby settings, live', () => {
  let server: FakeServer
  let conversation: Conversation
  let client: Client
  let message: Message

  beforeEach(async () => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
    client = createClient(server, { db: uniqueDb() })
    await client.storage.start()
    await waitFor('connected', () => client.socket.connected)
    await client.storage.openConversation(conversation.id)
    message = server.send(
      OTHER,
      { conversationId: conversation.id, content: 'hello', clientMessageId: crypto.randomUUID() },
      'socket',
    ).message
    await waitFor('delivered', () => (client.snapshot().messages[conversation.id] ?? []).length === 1)
  })

  afterEach(() => client.storage.stop())

  const held = () => client.snapshot().messages[conversation.id]![0] as Message

  it('a pin and an unpin apply by their own rev: an edit broadcast before the pin, arriving after it, still lands', async () => {
    const base = message.rev
    client.socket.deliver('message:pinned', {
      conversationId: conversation.id,
      messageId: message.id,
      pinnedAt: now(),
      pinnedBy: ME,
      rev: base + 2,
    })
    client.socket.deliver('message:edited', {
      conversationId: conversation.id,
      messageId: message.id,
      newContent: 'hello, edited',
      editedAt: now(),
      rev: base + 1,
    })
    await waitFor('applied', () => held().content === 'hello, edited')
    expect(held().pinnedBy).toBe(ME)

    client.socket.deliver('message:pinned', {
      conversationId: conversation.id,
      messageId: message.id,
      pinnedAt: null,
      pinnedBy: null,
      rev: base + 3,
    })
    await waitFor('unpinned', () => held().pinnedAt === undefined)
    // A stale pin (an older rev) changes nothing.
    client.socket.deliver('message:pinned', {
      conversationId: conversation.id,
      messageId: message.id,
      pinnedAt: now(),
      pinnedBy: ME,
      rev: base + 2,
    })
    await Promise.resolve()
    await Promise.resolve()
    expect(held().pinnedAt).toBeUndefined()
  })

  it('announcements come with message:new, go with a dismissal from another device or a deletion; settings follow event:updated', async () => {
    const announcement = {
      ...message,
      id: crypto.randomUUID(),
      seq: message.seq + 1,
      announcement: true as const,
    }
    client.socket.deliver('message:new', { ...announcement, rev: message.rev + 1 })
    await waitFor('listed', () => client.snapshot().announcements.length === 1)
    const second = {
      ...announcement,
      id: crypto.randomUUID(),
      seq: announcement.seq + 1,
      rev: message.rev + 2,
    }
    client.socket.deliver('message:new', second)
    await waitFor('both, newest first', () => client.snapshot().announcements[0]?.id === second.id)

    client.socket.deliver('announcement:dismissed', { messageId: second.id })
    await waitFor('dismissed', () => client.snapshot().announcements.length === 1)
    client.socket.deliver('message:deleted', {
      conversationId: conversation.id,
      messageId: announcement.id,
      deletedBy: OTHER,
      deletedAt: now(),
      rev: message.rev + 3,
    })
    await waitFor('deleted', () => client.snapshot().announcements.length === 0)

    // Told on connect, with the announcements.
    await waitFor('settings on connect', () => client.snapshot().eventSettings !== null)
    expect(client.snapshot().eventSettings).toEqual({ announcementOnly: false, moderatorsAnnounce: false })
    client.socket.deliver('event:updated', {
      id: conversation.eventId,
      name: 'Gala',
      startsAt: null,
      endsAt: null,
      createdAt: now(),
      announcementOnly: true,
      moderatorsAnnounce: true,
    })
    await waitFor('settings', () => client.snapshot().eventSettings?.announcementOnly === true)
    expect(client.snapshot().eventSettings).toEqual({ announcementOnly: true, moderatorsAnnounce: true })
  })
})
