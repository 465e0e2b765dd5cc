import type { Event, GuestList } from '@secura/shared'
import { useEffect, useState } from 'react'
import { describeError } from '../api/http.ts'
import { Notice } from '../components/Notice.tsx'
import { ROLE_LABELS } from '../components/roles.ts'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'
import { GuestActions } from './GuestActions.tsx'
import { ModerationLogPanel } from './ModerationLogPanel.tsx'
import { ReportQueuePanel } from './ReportQueuePanel.tsx'

/** Presence changes while the console is open: the list is asked again this often while the tab is visible. */
const REFRESH_MS = 15_000
const SEARCH_DEBOUNCE_MS = 250

/** Who joined the event, online first in the count, searchable by name; refreshed while on screen. */
export function GuestPanel({ event }: { event: Event }) {
  const listGuests = useAppStore((s) => s.listGuests)
  const [query, setQuery] = useState('')
  const [list, setList] = useState<GuestList | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [refreshes, setRefreshes] = useState(0)

  useEffect(() => {
    let current = true
    const load = () =>
      listGuests(query.trim()).then(
        (result) => {
          if (!current) return
          setList(result)
          setError(null)
        },
        (failure: unknown) => {
          if (current) setError(describeError(failure))
        },
      )
    const first = window.setTimeout(load, refreshes === 0 && !query ? 0 : SEARCH_DEBOUNCE_MS)
    const every = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load()
    }, REFRESH_MS)
    return () => {
      current = false
      window.clearTimeout(first)
      window.clearInterval(every)
    }
  }, [listGuests, query, refreshes, event.id])

  return (
    <section className="card stack" aria-labelledby="guests-title" data-testid="guest-panel">
      <header className="panel-header">
        <div>
          <p className="eyebrow">Guests</p>
          <h2 id="guests-title">Who joined</h2>
        </div>
        <button type="button" className="button button-secondary" onClick={() => setRefreshes((n) => n + 1)}>
          Refresh
        </button>
      </header>
      {list && (
        <p className="muted" data-testid="guest-counts" aria-live="polite">
          {list.total === 1 ? '1 guest' : `${list.total} guests`} · {list.online} online
        </p>
      )}
      <div className="field">
        <label htmlFor="guest-search">Find a guest by name</label>
        <input
          id="guest-search"
          type="search"
          autoComplete="off"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {list === null && !error && <p className="muted">Loading guests…</p>}
      {list && list.guests.length === 0 && (
        <p className="muted">
          {query.trim() ? `No guest called “${query.trim()}”.` : 'No one has joined yet.'}
        </p>
      )}
      {list && list.guests.length > 0 && (
        <ul className="guest-list" aria-label="Guests">
          {list.guests.map((guest) => (
            <li
              key={guest.id}
              className="guest"
              data-testid="guest"
              data-user-id={guest.id}
              data-status={guest.status}
            >
              <span className={`status-dot status-${guest.status}`} aria-hidden="true" />
              <span className="guest-name">{guest.displayName}</span>
              {guest.role !== 'guest' && (
                <span className={`badge badge-${guest.role}`}>{ROLE_LABELS[guest.role]}</span>
              )}
              <span className="guest-status muted">
                {guest.status === 'online' ? 'Online' : `Last seen ${formatDateTime(guest.lastSeenAt)}`}
              </span>
              <GuestActions guest={guest} onDone={() => setRefreshes((n) => n + 1)} />
            </li>
          ))}
        </ul>
      )}
      {list && list.guests.length < list.total && !query.trim() && (
        <p className="hint">The first {list.guests.length} by name; search to find anyone else.</p>
      )}
      <ReportQueuePanel version={refreshes} onDone={() => setRefreshes((n) => n + 1)} />
      <ModerationLogPanel version={refreshes} />
    </section>
  )
}
