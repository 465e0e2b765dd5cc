import { describe, expect, it } from 'vitest'
import { fromStored, isQuiet, toStored } from './quiet-hours.ts'

describe('quiet hours', () => {
  const night = toStored({ start: '22:00', end: '07:00', timeZone: 'Europe/Paris' })

  it('are kept as minutes and read back as they were given', () => {
    expect(night).toEqual({ quietStart: 22 * 60, quietEnd: 7 * 60, quietTimeZone: 'Europe/Paris' })
    expect(fromStored(night)).toEqual({ start: '22:00', end: '07:00', timeZone: 'Europe/Paris' })
    expect(fromStored(toStored(null))).toBeNull()
  })

  it('span midnight in their own zone (Paris is UTC+1 in January)', () => {
    expect(isQuiet(night, new Date('2026-01-10T21:30:00Z'))).toBe(true) // 22:30 in Paris
    expect(isQuiet(night, new Date('2026-01-10T05:59:00Z'))).toBe(true) // 06:59
    expect(isQuiet(night, new Date('2026-01-10T06:00:00Z'))).toBe(false) // 07:00: over
    expect(isQuiet(night, new Date('2026-01-10T20:59:00Z'))).toBe(false) // 21:59
  })

  it('within one day, and follow daylight saving time', () => {
    const lunch = toStored({ start: '12:00', end: '14:00', timeZone: 'America/New_York' })
    expect(isQuiet(lunch, new Date('2026-01-15T17:30:00Z'))).toBe(true) // 12:30 EST (UTC-5)
    expect(isQuiet(lunch, new Date('2026-07-15T17:30:00Z'))).toBe(true) // 13:30 EDT (UTC-4)
    expect(isQuiet(lunch, new Date('2026-07-15T18:30:00Z'))).toBe(false) // 14:30 EDT
  })

  it('refuse an unknown zone and an empty window', () => {
    expect(() => toStored({ start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' })).toThrow(/time zone/)
    expect(() => toStored({ start: '08:00', end: '08:00', timeZone: 'UTC' })).toThrow(/differ/)
  })

  it('off: never quiet', () => {
    expect(isQuiet(toStored(null), new Date())).toBe(false)
  })
})
