import { describe, expect, it } from 'vitest'
import { activeMention, HERE, insertMention, mentionedIn, splitMentions } from './mentions.ts'

describe('composer mentions', () => {
  it('finds the @query before the caret, only at a word start', () => {
    expect(activeMention('hi @An', 6)).toEqual({ start: 3, query: 'An' })
    expect(activeMention('@', 1)).toEqual({ start: 0, query: '' })
    expect(activeMention('@Ana Du', 7)).toEqual({ start: 0, query: 'Ana Du' })
    expect(activeMention('mail a@b', 8)).toBeNull()
    expect(activeMention('@ ana', 5)).toBeNull()
    expect(activeMention('@ana\nx', 6)).toBeNull()
  })

  it('replaces the query with the name and keeps only mentions still in the text', () => {
    expect(insertMention('hi @An!', 6, 3, 'Ana Duarte')).toEqual({ text: 'hi @Ana Duarte !', caret: 15 })
    const picked = [
      { id: 'a', name: 'Ana Duarte' },
      { id: 'b', name: 'Ben' },
      { id: HERE, name: 'here' },
    ]
    expect(mentionedIn('@Ana Duarte and @here', picked)).toEqual({ userIds: ['a'], here: true })
    expect(mentionedIn('nobody', picked)).toEqual({ userIds: [], here: false })
  })

  it('makes chips of the mentioned names only, the longest name first', () => {
    const parts = splitMentions('@Ana Duarte hi @Ana and @Zed', [
      { name: 'Ana', me: false },
      { name: 'Ana Duarte', me: true },
    ])
    expect(parts).toEqual([
      { kind: 'mention', text: '@Ana Duarte', me: true },
      { kind: 'text', text: ' hi ' },
      { kind: 'mention', text: '@Ana', me: false },
      { kind: 'text', text: ' and @Zed' },
    ])
  })
})
