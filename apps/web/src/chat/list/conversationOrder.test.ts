import type { LocalMessage } from '@secura/chat-client'
import type { ConversationSummary } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { latestMessage, sortByActivity } from './conversationOrder.ts'

function conversation(
  id: string,
  lastMessageAt: string | null,
  createdAt = '2026-01-01T00:00:00Z',
): ConversationSummary {
  return {
    id,
    eventId: 'e',
    kind: 'group',
    title: id,
    createdById: null,
    createdAt,
    lastSeq: 0,
    lastRev: 0,
    lastMessageAt,
    memberCount: 2,
    members: [],
    lastMessage: null,
    unreadCount: 0,
    lastReadSeq: 0,
    mentionCount: 0,
  }
}

describe('sortByActivity', () => {
  it('puts the newest activity first, counting queued messages and creation', () => {
    const a = conversation('a', '2026-03-01T10:00:00Z')
    const b = conversation('b', '2026-03-01T09:00:00Z')
    const c = conversation('c', null, '2026-03-01T11:00:00Z')
    const queued: LocalMessage = {
      state: 'pending',
      clientMessageId: 'x',
      conversationId: 'b',
      senderId: 'me',
      content: 'hi',
      replyToId: null,
      timestamp: '2026-03-01T12:00:00Z',
    }
    expect(sortByActivity([a, b, c], { b: [queued] }).map((x) => x.id)).toEqual(['b', 'c', 'a'])
    expect(latestMessage(b, [queued])).toMatchObject({ content: 'hi', state: 'pending', deleted: false })
  })
})

describe('latestMessage', () => {
  const sent = (seq: number, content: string, deleted = false): LocalMessage => ({
    state: 'sent',
    id: `m${seq}`,
    conversationId: 'a',
    seq,
    rev: seq,
    senderId: 'ana',
    clientMessageId: `c${seq}`,
    content: deleted ? '' : content,
    replyToId: null,
    timestamp: `2026-03-01T10:0${seq}:00Z`,
    editedAt: null,
    deletedAt: deleted ? '2026-03-01T11:00:00Z' : null,
    deletedBy: deleted ? 'ana' : null,
    reactions: [],
  })

  it('previews the last message still there, not a deletion at the end', () => {
    const a = conversation('a', '2026-03-01T10:02:00Z')
    const tombstone = sent(2, 'oops', true)
    const { state: _state, ...wire } = tombstone as LocalMessage & { state: 'sent' }
    a.lastMessage = wire
    expect(latestMessage(a, [sent(1, 'see you there'), tombstone])).toMatchObject({
      content: 'see you there',
      deleted: false,
    })
    // Nothing else loaded: the deletion is all there is to show.
    expect(latestMessage(a, [])).toMatchObject({ deleted: true })
    expect(latestMessage(a, [tombstone])).toMatchObject({ deleted: true })
  })
})
