/** Dates as the chat shows them, in the reader's locale and time zone. */

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'long' })
const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' })
const longDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long', year: 'numeric' })
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' })

const DAY_MS = 86_400_000

/** The local calendar day of a timestamp, `YYYY-MM-DD`: messages of one day share it. */
export function dayKey(iso: string): string {
  const date = new Date(iso)
  const month = String(date.getMonth() + 1).padStart(2, '0')
  const day = String(date.getDate()).padStart(2, '0')
  return `${date.getFullYear()}-${month}-${day}`
}

function daysAgo(date: Date, now: Date): number {
  const start = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  return Math.round((start(now) - start(date)) / DAY_MS)
}

/** A day separator: Today, Yesterday, a weekday this week, then the date. */
export function dayLabel(iso: string, now = new Date()): string {
  const date = new Date(iso)
  const ago = daysAgo(date, now)
  if (ago === 0) return 'Today'
  if (ago === 1) return 'Yesterday'
  if (ago > 1 && ago < 7) return weekday.format(date)
  return longDate.format(date)
}

/** The time beside a message. */
export const formatClock = (iso: string): string => clock.format(new Date(iso))

/** The full date and time, for a tooltip or a screen reader. */
export const formatFull = (iso: string): string => fullDate.format(new Date(iso))

/** The last activity in the conversation list: the time today, else a short date. */
export function formatActivity(iso: string, now = new Date()): string {
  const date = new Date(iso)
  const ago = daysAgo(date, now)
  if (ago === 0) return clock.format(date)
  if (ago === 1) return 'Yesterday'
  return shortDate.format(date)
}
