import { describe, expect, it } from 'vitest'
import { typingText } from './TypingIndicator.tsx'

describe('typingText', () => {
  const names = (id: string) => ({ a: 'Ana', b: 'Bo', c: 'Cy', d: 'Di' })[id] ?? 'A guest'
  it('names up to three people, then counts', () => {
    expect(typingText([], names)).toBe('')
    expect(typingText(['a'], names)).toBe('Ana is typing…')
    expect(typingText(['a', 'b'], names)).toBe('Ana and Bo are typing…')
    expect(typingText(['a', 'b', 'c'], names)).toBe('Ana, Bo and Cy are typing…')
    expect(typingText(['a', 'b', 'c', 'd'], names)).toBe('4 people are typing…')
  })
})
