import type { Event } from '@secura/shared'
import { useEffect } from 'react'
import { useAppStore } from '../store/index.ts'
import { EventEndPanel } from './EventEndPanel.tsx'
import { GuestPanel } from './GuestPanel.tsx'
import { InvitationPanel } from './InvitationPanel.tsx'
import { LobbySettingsPanel } from './LobbySettingsPanel.tsx'

/** An organizer signed in to their event sees its guests and manages its invitations with their own session. */
export function OrganizerConsole({ event }: { event: Event }) {
  const selectedEventId = useAppStore((s) => s.selectedEventId)
  const selectEvent = useAppStore((s) => s.selectEvent)

  useEffect(() => {
    selectEvent(event.id)
  }, [selectEvent, event.id])

  if (selectedEventId !== event.id) return null
  return (
    <div className="console-grid">
      <GuestPanel event={event} />
      <div className="stack">
        <InvitationPanel event={event} />
        <EventEndPanel event={event} />
        <LobbySettingsPanel event={event} />
      </div>
    </div>
  )
}
