import { useEffect } from 'react'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'
import { CreateEventForm } from './CreateEventForm.tsx'
import { EventEndPanel } from './EventEndPanel.tsx'
import { EventList } from './EventList.tsx'
import { EventStoragePanel } from './EventStoragePanel.tsx'
import { GuestPanel } from './GuestPanel.tsx'
import { InvitationPanel } from './InvitationPanel.tsx'
import { LobbySettingsPanel } from './LobbySettingsPanel.tsx'

/** The operator's view (admin token): every event, and the invitations and guests of the one selected. */
export function AdminConsole() {
  const events = useAppStore((s) => s.events)
  const selectedEventId = useAppStore((s) => s.selectedEventId)
  const loadEvents = useAppStore((s) => s.loadEvents)
  const [load, { pending, error }] = useAction(loadEvents)

  useEffect(() => {
    void load()
  }, [load])

  const selected = events?.find((e) => e.id === selectedEventId) ?? null
  return (
    <div className="console-grid">
      <div className="stack">
        <CreateEventForm />
        <section className="card" aria-labelledby="events-title" aria-busy={pending}>
          <h2 id="events-title">Events</h2>
          {error && (
            <>
              <Notice tone="error">{error}</Notice>
              <button type="button" className="button button-secondary" onClick={() => void load()}>
                Try again
              </button>
            </>
          )}
          {events === null && !error && <p className="muted">Loading events…</p>}
          {events && <EventList events={events} />}
        </section>
      </div>
      {selected ? (
        <div className="stack">
          <InvitationPanel event={selected} canDeleteEvent />
          <LobbySettingsPanel event={selected} />
          <GuestPanel key={selected.id} event={selected} />
          <EventStoragePanel event={selected} />
          <EventEndPanel key={`end-${selected.id}`} event={selected} />
        </div>
      ) : (
        <section className="card placeholder-panel">
          <p className="muted">Choose an event, or create one, to invite its guests.</p>
        </section>
      )}
    </div>
  )
}
