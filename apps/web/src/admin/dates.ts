const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** An ISO date from the API, in the reader's locale and time zone. */
export const formatDateTime = (iso: string): string => dateTimeFormat.format(new Date(iso))

/** The value of an `<input type="datetime-local">` (local time, no zone) as an ISO instant; undefined if empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

/** Now, in the format `<input type="datetime-local">` takes for `min`. */
export function nowAsLocalInput(): string {
  const now = new Date()
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000)
  return local.toISOString().slice(0, 16)
}
