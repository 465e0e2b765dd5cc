import type { Event } from '@secura/shared'
import { useEffect } from 'react'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'

const REFRESH_MS = 15_000

/** The events, newest first; choosing one opens its invitations. */
export function EventList({ events }: { events: Event[] }) {
  const selectedEventId = useAppStore((s) => s.selectedEventId)
  const selectEvent = useAppStore((s) => s.selectEvent)
  const loadEvents = useAppStore((s) => s.loadEvents)

  // The counts are live enough when asked again every little while the tab is visible.
  useEffect(() => {
    const every = window.setInterval(() => {
      if (document.visibilityState === 'visible') loadEvents().catch(() => undefined)
    }, REFRESH_MS)
    return () => window.clearInterval(every)
  }, [loadEvents])

  if (events.length === 0) return <p className="muted">No events yet. Create the first one above.</p>
  return (
    <ul className="event-list">
      {events.map((event) => (
        <li key={event.id}>
          <button
            type="button"
            className="event-item"
            aria-pressed={event.id === selectedEventId}
            onClick={() => selectEvent(event.id)}
          >
            <span className="event-item-name">{event.name}</span>
            <span className="event-item-meta">{eventWhen(event)}</span>
            {event.counts && (
              <span className="event-item-meta" data-testid="event-counts">
                {event.counts.online} online · {event.counts.messagesToday} messages today
              </span>
            )}
          </button>
        </li>
      ))}
    </ul>
  )
}

function eventWhen(event: Event): string {
  if (event.startsAt && event.endsAt)
    return `${formatDateTime(event.startsAt)} – ${formatDateTime(event.endsAt)}`
  if (event.startsAt) return `Starts ${formatDateTime(event.startsAt)}`
  return `Created ${formatDateTime(event.createdAt)}`
}
