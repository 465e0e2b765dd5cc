import type { SystemLine } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { systemLineText } from './systemLines.ts'

const names = (id: string) => ({ a: 'Ana', b: 'Ben', c: 'Cy' })[id] ?? 'A guest'
const line = (l: Partial<SystemLine>): SystemLine => ({
  type: 'group-created',
  actorId: 'a',
  targetIds: [],
  title: null,
  ...l,
})

describe('system lines in words', () => {
  it('names the actor and the targets, and says "You" to the reader', () => {
    expect(systemLineText(line({ title: 'Crew', targetIds: ['b'] }), names, 'c')).toBe(
      'Ana created the group “Crew”',
    )
    expect(systemLineText(line({ type: 'group-renamed', title: 'New' }), names, 'a')).toBe(
      'You renamed the group to “New”',
    )
    expect(systemLineText(line({ type: 'members-added', targetIds: ['b', 'c'] }), names, 'c')).toBe(
      'Ana added Ben and you',
    )
    expect(systemLineText(line({ type: 'member-removed', targetIds: ['b'] }), names, 'c')).toBe(
      'Ana removed Ben',
    )
    expect(systemLineText(line({ type: 'member-left', actorId: 'b', targetIds: ['b'] }), names, 'a')).toBe(
      'Ben left',
    )
    expect(systemLineText(line({ type: 'guest-removed', actorId: null, targetIds: ['b'] }), names, 'a')).toBe(
      'Ben was removed by an organizer',
    )
  })
})
