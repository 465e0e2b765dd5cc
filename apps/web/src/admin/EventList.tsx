import type { Event } from '@secura/shared'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'

/** The events, newest first; choosing one opens its invitations. */
export function EventList({ events }: { events: Event[] }) {
  const selectedEventId = useAppStore((s) => s.selectedEventId)
  const selectEvent = useAppStore((s) => s.selectEvent)

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
