import type { LocalMessage } from '@secura/chat-client'
import { describe, expect, it } from 'vitest'
import { buildTimeline, messageKey } from './timelineRows.ts'

const ME = 'me'
let seq = 0
function sent(senderId: string, timestamp: string): LocalMessage {
  seq += 1
  return {
    state: 'sent',
    id: `id-${seq}`,
    conversationId: 'c',
    seq,
    rev: seq,
    senderId,
    clientMessageId: `cm-${seq}`,
    content: `message ${seq}`,
    replyToId: null,
    timestamp,
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    reactions: [],
  }
}

describe('buildTimeline', () => {
  it('groups runs of one sender and marks the day the next message opens', () => {
    const messages = [
      sent('ana', '2026-03-01T10:00:00'),
      sent('ana', '2026-03-01T10:01:00'),
      sent('bo', '2026-03-01T10:02:00'),
      sent('bo', '2026-03-02T09:00:00'),
    ]
    const rows = buildTimeline(messages, { meId: ME, reads: undefined, now: new Date('2026-03-02T12:00:00') })
    expect(rows.map((r) => r.continued)).toEqual([false, true, false, false])
    expect(rows.map((r) => r.nextDay)).toEqual([null, null, 'Today', null])
  })

  it('gives a row the same key before and after the server stores it', () => {
    const pending: LocalMessage = {
      state: 'pending',
      clientMessageId: 'cm-x',
      conversationId: 'c',
      senderId: ME,
      content: 'hi',
      replyToId: null,
      timestamp: '2026-03-01T10:00:00Z',
    }
    const stored = { ...sent(ME, '2026-03-01T10:00:00Z'), clientMessageId: 'cm-x' }
    expect(messageKey(pending)).toBe(messageKey(stored))
  })

  it('shows who has seen my last sent message, and only under it', () => {
    const first = sent(ME, '2026-03-01T10:00:00Z')
    const last = sent(ME, '2026-03-01T10:01:00Z')
    const reads = {
      ana: last.state === 'sent' ? last.seq : 0,
      bo: first.state === 'sent' ? first.seq : 0,
      [ME]: 99,
    }
    const rows = buildTimeline([first, last], { meId: ME, reads })
    expect(rows.map((r) => r.seenBy)).toEqual([null, ['ana']])
  })

  it('does not let a prepended page change the rows that were already there', () => {
    const older = [sent('ana', '2026-03-01T10:00:00Z')]
    const newer = [sent('bo', '2026-03-02T10:00:00Z'), sent('bo', '2026-03-02T10:01:00Z')]
    const before = buildTimeline(newer, { meId: ME, reads: undefined })
    const after = buildTimeline([...older, ...newer], { meId: ME, reads: undefined }).slice(1)
    expect(after.map((r) => [r.key, r.nextDay, r.seenBy])).toEqual(
      before.map((r) => [r.key, r.nextDay, r.seenBy]),
    )
  })
})
