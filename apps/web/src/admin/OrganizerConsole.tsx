import type { Event } from '@secura/shared'
import { useEffect } from 'react'
import { useAppStore } from '../store/index.ts'
import { InvitationPanel } from './InvitationPanel.tsx'

/** An organizer signed in to their event manages its invitations with their own session, no admin token. */
export function OrganizerConsole({ event }: { event: Event }) {
  const selectedEventId = useAppStore((s) => s.selectedEventId)
  const selectEvent = useAppStore((s) => s.selectEvent)

  useEffect(() => {
    selectEvent(event.id)
  }, [selectEvent, event.id])

  return selectedEventId === event.id ? <InvitationPanel event={event} /> : null
}
