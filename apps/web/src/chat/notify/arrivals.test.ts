import type { ConversationSummary, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { arrivals, seenOf, totalUnread } from './arrivals.ts'

const last = (seq: number, content: string) =>
  ({ id: `m${seq}`, seq, senderId: 'ana', content }) as unknown as Message
const summary = (id: string, kind: ConversationSummary['kind'], over: Partial<ConversationSummary> = {}) =>
  ({
    id,
    kind,
    lastSeq: 0,
    unreadCount: 0,
    mentionCount: 0,
    lastMessage: null,
    ...over,
  }) as ConversationSummary

describe('arrivals', () => {
  const before = seenOf([summary('dm', 'direct'), summary('lobby', 'event'), summary('group', 'group')])

  it('raise a direct message and a mention elsewhere, never the lobby chatter or the open conversation', () => {
    const now = [
      summary('dm', 'direct', { lastSeq: 1, unreadCount: 1, lastMessage: last(1, 'hi') }),
      summary('lobby', 'event', { lastSeq: 4, unreadCount: 4, lastMessage: last(4, 'chatter') }),
      summary('group', 'group', { lastSeq: 2, unreadCount: 2, mentionCount: 1, lastMessage: last(2, '@me') }),
    ]
    expect(arrivals(before, now, null)).toEqual([
      { conversationId: 'dm', kind: 'direct', senderId: 'ana', text: 'hi' },
      { conversationId: 'group', kind: 'mention', senderId: 'ana', text: '@me' },
    ])
    expect(arrivals(before, now, 'dm').map((a) => a.conversationId)).toEqual(['group'])
    expect(totalUnread(now)).toBe(7)
  })

  it('raise nothing for what was there already, or for my own message', () => {
    const now = [summary('dm', 'direct', { lastSeq: 1, unreadCount: 1, lastMessage: last(1, 'hi') })]
    expect(arrivals(seenOf(now), now, null)).toEqual([])
    const mine = [summary('dm', 'direct', { lastSeq: 1, unreadCount: 0, lastMessage: last(1, 'mine') })]
    expect(arrivals(before, mine, null)).toEqual([])
  })
})
