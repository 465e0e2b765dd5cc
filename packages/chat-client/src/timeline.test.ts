import type { Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { ApiError } from './http.ts'
import { isRetryable, retryDelay } from './retry.ts'
import { createTimeline, hasOlder, noteRev, patchMessage, revAtLeast, upsertMessage } from './timeline.ts'

const ME = 'me'
const message = (seq: number, rev: number, content = `m${seq}`): Message => ({
  id: `id-${seq}`,
  conversationId: 'c',
  seq,
  rev,
  senderId: 'other',
  clientMessageId: `client-${seq}`,
  content,
  replyToId: null,
  timestamp: '2026-01-01T00:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  deletedBy: null,
  reactions: [],
})

describe('timeline', () => {
  it('keeps messages by seq and ignores an older copy of one', () => {
    const t = createTimeline('c', ME, [], 0, 1)
    upsertMessage(t, message(2, 2), ME)
    upsertMessage(t, message(1, 1), ME)
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2])
    upsertMessage(t, message(1, 5, 'edited'), ME)
    expect(upsertMessage(t, message(1, 1), ME)).toBe('stale')
    expect(t.messages[0]?.content).toBe('edited')
  })

  it('moves the rev cursor only over revs seen in order', () => {
    const t = createTimeline('c', ME, [], 3, 1)
    expect(noteRev(t, 5)).toBe(true) // 4 missing
    expect(t.rev).toBe(3)
    expect(noteRev(t, 4)).toBe(false)
    expect(t.rev).toBe(5)
    noteRev(t, 7)
    revAtLeast(t, 6) // a sync covered up to 6: 7 follows on
    expect(t.rev).toBe(7)
    expect(t.ahead.size).toBe(0)
  })

  it('a late edit still lands after a later reaction; a full copy replaces the parts it is newer for', () => {
    const t = createTimeline('c', ME, [message(1, 1)], 1, 1)
    patchMessage(t, 'id-1', 3, { reactions: [{ emoji: '👍', userIds: ['other'] }] })
    patchMessage(t, 'id-1', 2, { text: { content: 'late edit', editedAt: '2026-01-01T00:00:01.000Z' } })
    expect(t.messages[0]).toMatchObject({ content: 'late edit', rev: 3, reactions: [{ emoji: '👍' }] })
    // A stale full copy (rev 2) keeps the newer reactions.
    upsertMessage(t, { ...message(1, 2, 'late edit'), reactions: [] }, ME)
    expect(t.messages[0]?.reactions).toHaveLength(1)
    // The current full copy wins for both parts, even at the same rev as what we hold.
    upsertMessage(t, { ...message(1, 3, 'final'), reactions: [] }, ME)
    expect(t.messages[0]).toMatchObject({ content: 'final', reactions: [] })
  })

  it('leaves out what is older than the loaded window, unless paging', () => {
    const t = createTimeline('c', ME, [message(10, 10)], 10, 10)
    expect(hasOlder(t)).toBe(true)
    expect(upsertMessage(t, message(3, 11, 'old, edited'), ME)).toBe('outside')
    expect(upsertMessage(t, message(3, 11, 'old, edited'), ME, true)).toBe('applied')
  })
})

describe('retry policy', () => {
  const policy = { baseMs: 100, maxMs: 1000, random: () => 1 }

  it('retries network errors, 5xx and 429; not other 4xx', () => {
    expect(isRetryable(new ApiError('NETWORK', 0, ''))).toBe(true)
    expect(isRetryable(new ApiError('UNAVAILABLE', 503, ''))).toBe(true)
    expect(isRetryable(new ApiError('INTERNAL', 500, ''))).toBe(true)
    expect(isRetryable(new ApiError('RATE_LIMITED', 429, ''))).toBe(true)
    for (const [code, status] of [
      ['VALIDATION', 400],
      ['FORBIDDEN', 403],
      ['NOT_FOUND', 404],
      ['CONFLICT', 409],
      ['PAYLOAD_TOO_LARGE', 413],
    ] as const) {
      expect(isRetryable(new ApiError(code, status, ''))).toBe(false)
    }
  })

  it('doubles up to the cap, with jitter, never below retryAfterMs', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, undefined, policy))).toEqual([100, 200, 400, 800, 1000])
    expect(retryDelay(1, undefined, { ...policy, random: () => 0 })).toBe(50)
    expect(retryDelay(1, new ApiError('RATE_LIMITED', 429, '', undefined, 700), policy)).toBe(700)
  })
})
