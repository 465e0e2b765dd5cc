import { DaySeparator } from './TimelineRowView.tsx'

/**
 * Above the first message once the whole history is loaded: where the conversation begins, and its first day.
 * (While older pages remain, nothing sits above the first row: prepending then moves nothing on screen.)
 */
export function HistoryStart({ firstDay }: { firstDay: string | null }) {
  return (
    <div className="timeline-history">
      <p className="history-start">This is the beginning of the conversation.</p>
      {firstDay && <DaySeparator label={firstDay} />}
    </div>
  )
}

interface HistoryProgressProps {
  loading: boolean
  failed: boolean
  load: () => void
}

/** Floats over the top of the timeline while an older page loads, or when it could not be loaded. */
export function HistoryProgress({ loading, failed, load }: HistoryProgressProps) {
  if (loading) {
    return (
      <p className="history-progress" role="status">
        Loading earlier messages…
      </p>
    )
  }
  if (!failed) return null
  return (
    <p className="history-progress history-progress-failed">
      Earlier messages could not be loaded.{' '}
      <button type="button" className="link-button" data-testid="load-older" onClick={load}>
        Try again
      </button>
    </p>
  )
}
