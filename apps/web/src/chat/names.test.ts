import { describe, expect, it } from 'vitest'
import { initials } from './names.ts'

describe('initials', () => {
  it('take the first and last words, never punctuation', () => {
    expect(initials('Olga (Organizer)')).toBe('OO')
    expect(initials('Ana Duarte')).toBe('AD')
    expect(initials('ben')).toBe('B')
    expect(initials('Élodie')).toBe('É')
    expect(initials('«Zoë» [staff]')).toBe('ZS')
    expect(initials('!!!')).toBe('?')
  })
})
