import type { QuietHours } from '@secura/shared'
import { validation } from '../../errors.ts'

/** Quiet hours as stored: minutes after local midnight, and the IANA zone they are in. */
export interface StoredQuietHours {
  quietStart: number | null
  quietEnd: number | null
  quietTimeZone: string | null
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
const toTime = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** Checked against the runtime's zone database: an unknown zone is VALIDATION, never a failed push later. */
export function toStored(quiet: QuietHours | null): StoredQuietHours {
  if (!quiet) return { quietStart: null, quietEnd: null, quietTimeZone: null }
  try {
    new Intl.DateTimeFormat('en', { timeZone: quiet.timeZone })
  } catch {
    throw validation(`quietHours.timeZone: unknown time zone "${quiet.timeZone}"`)
  }
  if (quiet.start === quiet.end) throw validation('quietHours: start and end must differ')
  return { quietStart: toMinutes(quiet.start), quietEnd: toMinutes(quiet.end), quietTimeZone: quiet.timeZone }
}

export function fromStored(row: StoredQuietHours): QuietHours | null {
  if (row.quietStart === null || row.quietEnd === null || !row.quietTimeZone) return null
  return { start: toTime(row.quietStart), end: toTime(row.quietEnd), timeZone: row.quietTimeZone }
}

/** Whether `at` falls in the quiet hours, in their own zone (from start, up to but not including end). */
export function isQuiet(row: StoredQuietHours, at: Date): boolean {
  if (row.quietStart === null || row.quietEnd === null || !row.quietTimeZone) return false
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: row.quietTimeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const now = part('hour') * 60 + part('minute')
  const { quietStart: start, quietEnd: end } = row
  return start < end ? now >= start && now < end : now >= start || now < end
}
