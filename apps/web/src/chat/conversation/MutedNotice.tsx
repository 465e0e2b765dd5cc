import { useAppStore } from '../../store/index.ts'

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** Above the composer while the guest is muted: why, until when, and that what they write is kept. */
export function MutedNotice() {
  const muted = useAppStore((s) => s.chat.muted)
  if (!muted) return null
  return (
    <p className="composer-muted" role="status" data-testid="muted-notice">
      You are muted until {time.format(new Date(muted.until))}
      {muted.reason ? `: ${muted.reason}` : ''}. You can read along; what you write waits here and is sent
      when the mute ends.
    </p>
  )
}
