import type { ConversationSummary, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { mentionsMe, withDeletedUnread, withMessage, withRead, withReceived } from './summaries.ts'
import { createTimeline } from './timeline.ts'

const ME = 'me'
const summary: ConversationSummary = {
  id: 'c',
  eventId: 'e',
  kind: 'event',
  title: null,
  createdById: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastSeq: 0,
  lastRev: 0,
  lastMessageAt: null,
  memberCount: 3,
  members: [],
  lastMessage: null,
  unreadCount: 0,
  lastReadSeq: 0,
  mentionCount: 0,
}
const message = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  conversationId: 'c',
  seq,
  rev: seq,
  senderId: 'ana',
  clientMessageId: `k${seq}`,
  content: `text ${seq}`,
  replyToId: null,
  timestamp: '2026-01-01T00:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  deletedBy: null,
  reactions: [],
  ...extra,
})

describe('mention counts', () => {
  it('a mention is mine by id or @here, never from myself', () => {
    expect(mentionsMe(message(1, { mentions: [ME] }), ME)).toBe(true)
    expect(mentionsMe(message(1, { mentionsHere: true }), ME)).toBe(true)
    expect(mentionsMe(message(1, { mentions: ['ben'] }), ME)).toBe(false)
    expect(mentionsMe(message(1, { senderId: ME, mentionsHere: true }), ME)).toBe(false)
  })

  it('grow with live messages and badges that mention me, and only with unread ones', () => {
    let s = withMessage(summary, message(1, { mentions: [ME] }), ME)
    s = withMessage(s, message(2), ME)
    s = withReceived(
      s,
      { conversationId: 'c', messageId: 'm3', seq: 3, senderId: 'ana', preview: 'x', mentionsHere: true },
      ME,
    )
    expect(s).toMatchObject({ unreadCount: 3, mentionCount: 2 })
    // Already read, or a repeat: not counted again.
    expect(withMessage({ ...s, lastReadSeq: 4 }, message(4, { mentions: [ME] }), ME).mentionCount).toBe(2)
    expect(withMessage(s, message(1, { mentions: [ME] }), ME).mentionCount).toBe(2)
  })

  it('drop by the mentions read where the loaded messages cover them, to 0 once all is read', () => {
    const messages = [message(1, { mentions: [ME] }), message(2), message(3, { mentions: [ME] })]
    const s = messages.reduce((acc, m) => withMessage(acc, m, ME), summary)
    const timeline = createTimeline('c', ME, messages, 3, 1)
    expect(withRead(s, 2, timeline, ME)).toMatchObject({ unreadCount: 1, mentionCount: 1 })
    expect(withRead(s, 3, timeline, ME)).toMatchObject({ unreadCount: 0, mentionCount: 0 })
    // Not covered: the count waits for the server's.
    expect(withRead(s, 2, undefined, ME)).toMatchObject({ unreadCount: 1, mentionCount: 2 })
    expect(withDeletedUnread(s, message(3, { mentions: [ME], deletedAt: 'now' }), ME).mentionCount).toBe(1)
  })
})
