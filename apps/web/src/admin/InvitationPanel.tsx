import type { Event } from '@secura/shared'
import { useEffect, useMemo } from 'react'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'
import { CreateInvitationForm } from './CreateInvitationForm.tsx'
import { DeleteEventButton } from './DeleteEventButton.tsx'
import { InvitationList } from './InvitationList.tsx'
import { printableInvitations } from './invitationStatus.ts'

/** How often the list is asked again while the tab is visible (as the guest list). */
const REFRESH_MS = 15_000

interface InvitationPanelProps {
  event: Event
  /** Only the admin may delete events; an organizer manages invitations only. */
  canDeleteEvent?: boolean
}

/** One event's invitations: create them, see their QR codes, revoke them, print a sheet. */
export function InvitationPanel({ event, canDeleteEvent = false }: InvitationPanelProps) {
  const invitations = useAppStore((s) => s.invitations)
  const issuedCodes = useAppStore((s) => s.issuedCodes)
  const linksLoopback = useAppStore((s) => s.invitationLinksLoopback)
  const loadInvitations = useAppStore((s) => s.loadInvitations)
  const [load, { pending, error }] = useAction(loadInvitations)
  const printable = useMemo(() => printableInvitations(invitations, issuedCodes), [invitations, issuedCodes])

  useEffect(() => {
    void load()
    // Guests join while the console is open: their uses are asked again while the tab is visible.
    const every = window.setInterval(() => {
      if (document.visibilityState === 'visible') loadInvitations().catch(() => undefined)
    }, REFRESH_MS)
    return () => window.clearInterval(every)
  }, [load, loadInvitations, event.id])

  return (
    <section className="card stack" aria-labelledby="invitations-title" aria-busy={pending}>
      <header className="panel-header">
        <div>
          <p className="eyebrow">Invitations</p>
          <h2 id="invitations-title">{event.name}</h2>
        </div>
        <button
          type="button"
          className="button button-secondary"
          disabled={printable.length === 0}
          onClick={() => window.print()}
          aria-describedby="print-hint"
        >
          Print QR codes ({printable.length})
        </button>
      </header>
      <p id="print-hint" className="hint">
        A code is shown only when its invitation is created: the sheet holds the active invitations made in
        this tab.
      </p>
      <CreateInvitationForm />
      {linksLoopback && (
        <Notice tone="error">
          These links point at this computer itself (PUBLIC_URL is a loopback address): phones cannot open
          them. Start the server with <code>pnpm start --lan</code>, or set PUBLIC_URL to an address guests
          reach (docs/venue.md).
        </Notice>
      )}
      <h3>All invitations</h3>
      {error && <Notice tone="error">{error}</Notice>}
      {invitations === null && !error && <p className="muted">Loading invitations…</p>}
      {invitations && <InvitationList invitations={invitations} issuedCodes={issuedCodes} />}
      {canDeleteEvent && <DeleteEventButton event={event} />}
    </section>
  )
}
