import type { ReportItem, ResolveReportBody } from '@secura/shared'
import { useEffect, useState } from 'react'
import { describeError } from '../api/http.ts'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'
import { ReportAttachments } from './ReportAttachments.tsx'

const ACTIONS: { action: ResolveReportBody['action']; label: string; danger?: boolean }[] = [
  { action: 'dismiss', label: 'Dismiss' },
  { action: 'delete', label: 'Delete message', danger: true },
  { action: 'mute', label: 'Mute author 1 h' },
  { action: 'remove', label: 'Remove author', danger: true },
]

/** The open reports of the event: the message, who wrote it, who reported it and why, and what to do. */
export function ReportQueuePanel({ version, onDone }: { version: number; onDone: () => void }) {
  const reportQueue = useAppStore((s) => s.reportQueue)
  const resolveReport = useAppStore((s) => s.resolveReport)
  const [reports, setReports] = useState<ReportItem[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    reportQueue().then(
      (queue) => current && setReports(queue.reports),
      (failure: unknown) => current && setError(describeError(failure)),
    )
    return () => {
      current = false
    }
  }, [reportQueue, version])

  const resolve = async (report: ReportItem, action: ResolveReportBody['action']) => {
    setError(null)
    try {
      await resolveReport(report.id, { action, ...(action === 'mute' && { minutes: 60 }) })
      onDone()
    } catch (failure) {
      setError(describeError(failure))
    }
  }

  return (
    <div className="stack" data-testid="report-queue">
      <h3>Reports</h3>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {reports?.length === 0 && <p className="muted">No open reports.</p>}
      {reports && reports.length > 0 && (
        <ul className="moderation-log">
          {reports.map((r) => (
            <li key={r.id} data-testid="report" data-message-id={r.messageId}>
              <p>
                <strong>{r.authorName}</strong>:{' '}
                {r.deleted ? <em>deleted</em> : r.content ? `“${r.content}”` : ''}
              </p>
              {!r.deleted && r.attachments && r.attachments.length > 0 && (
                <ReportAttachments attachments={r.attachments} />
              )}
              <p className="muted">
                Reported by {r.reporterName} · {formatDateTime(r.createdAt)} · “{r.reason}”
              </p>
              <div className="guest-actions">
                {ACTIONS.map(({ action, label, danger }) => (
                  <button
                    key={action}
                    type="button"
                    className={danger ? 'button button-small button-danger' : 'button button-small'}
                    onClick={() => void resolve(r, action)}
                  >
                    {label}
                  </button>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
