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
