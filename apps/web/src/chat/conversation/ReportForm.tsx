import { useEffect, useRef, useState } from 'react'

/** Why the guest reports a message: a short reason, sent to the organizers' queue. */
export function ReportForm({
  onReport,
  onCancel,
}: {
  onReport: (reason: string) => void
  onCancel: () => void
}) {
  const [reason, setReason] = useState('')
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])
  return (
    <form
      className="button-group report-form"
      aria-label="Report this message"
      onSubmit={(e) => {
        e.preventDefault()
        if (reason.trim()) onReport(reason.trim())
      }}
    >
      <input
        ref={input}
        aria-label="Why? (the organizers see it, the author does not see who)"
        placeholder="Why?"
        maxLength={200}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <button
        type="submit"
        className="button button-small"
        data-testid="confirm-report"
        disabled={!reason.trim()}
      >
        Report
      </button>
      <button type="button" className="button button-secondary button-small" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}
