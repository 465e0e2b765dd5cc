import type { Event } from '@secura/shared'
import { useEffect, useId, useState } from 'react'
import type { ExportKind } from '../api/admin.ts'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'

const FILES: Record<ExportKind, string> = { json: 'export.json', 'lobby-html': 'lobby-transcript.html' }

/** Saves a downloaded export as a file: the transcript is opened from there and printed. */
function save(blob: Blob, eventName: string, kind: ExportKind) {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = `${eventName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'event'}-${FILES[kind]}`
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
}

/** The event's end and its exports: JSON and a printable lobby transcript; "End now" once the name is typed. */
export function EventEndPanel({ event }: { event: Event }) {
  const endEvent = useAppStore((s) => s.endEvent)
  const exportEvent = useAppStore((s) => s.exportEvent)
  const [endsAt, setEndsAt] = useState(event.endsAt)
  useEffect(() => setEndsAt(event.endsAt), [event.endsAt])
  const [typed, setTyped] = useState('')
  const id = useId()
  const [end, ending] = useAction(async () => setEndsAt((await endEvent()).endsAt))
  const [download, exporting] = useAction(async (kind: ExportKind) =>
    save(await exportEvent(kind), event.name, kind),
  )
  const ended = endsAt !== null && Date.parse(endsAt) <= Date.now()
  // Typing the name, not clicking OK, is what stops a slip from ending a live event.
  const confirmed = typed.trim() === event.name.trim()

  return (
    <section className="card stack" aria-labelledby={`${id}-title`} data-testid="event-end-panel">
      <header className="panel-header">
        <div>
          <p className="eyebrow">The event</p>
          <h2 id={`${id}-title`}>End and export</h2>
        </div>
      </header>
      <p data-testid="event-end-status">
        {ended && endsAt
          ? `Ended ${formatDateTime(endsAt)}. The chat is read-only; guests can still read it for a while.`
          : endsAt
            ? `Ends ${formatDateTime(endsAt)}.`
            : 'No end is set: the chat stays open until you end it.'}
      </p>
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary"
          data-testid="export-json"
          disabled={exporting.pending}
          onClick={() => void download('json')}
        >
          Export JSON
        </button>
        <button
          type="button"
          className="button button-secondary"
          data-testid="export-transcript"
          disabled={exporting.pending}
          onClick={() => void download('lobby-html')}
        >
          Lobby transcript (HTML, printable)
        </button>
      </div>
      <p className="hint">
        The export holds the lobby and the groups with their messages, reactions and notices. Direct messages
        are private to their two guests and are never exported.
      </p>
      {exporting.error && <Notice tone="error">{exporting.error}</Notice>}
      {!ended && (
        <section className="danger-zone" aria-labelledby={`${id}-end`} data-testid="end-zone">
          <h3 id={`${id}-end`}>End the event now</h3>
          <p className="hint">
            Every guest's chat turns read-only at once: nothing more can be sent, edited or reacted to.
          </p>
          <label htmlFor={`${id}-confirm`}>Type the event's name to confirm</label>
          <input
            id={`${id}-confirm`}
            data-testid="end-confirm"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
          {ending.error && <Notice tone="error">{ending.error}</Notice>}
          <button
            type="button"
            className="button button-danger"
            data-testid="end-event"
            disabled={ending.pending || !confirmed}
            onClick={() => void end()}
          >
            {ending.pending ? 'Ending…' : 'End the event now'}
          </button>
        </section>
      )}
    </section>
  )
}
