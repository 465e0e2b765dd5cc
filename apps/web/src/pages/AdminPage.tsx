import { AdminConsole } from '../admin/AdminConsole.tsx'
import { AdminTokenForm } from '../admin/AdminTokenForm.tsx'
import { OrganizerConsole } from '../admin/OrganizerConsole.tsx'
import { PlainHttpNotice } from '../admin/PlainHttpNotice.tsx'
import { PrintSheet } from '../admin/PrintSheet.tsx'
import { Link } from '../components/Link.tsx'
import { useDocumentTitle } from '../hooks/useDocumentTitle.ts'
import { useAppStore } from '../store/index.ts'

/** `/admin`: the organizer console, as the operator (admin token) or as a signed-in organizer. */
export function AdminPage() {
  useDocumentTitle('Organizer console')
  const adminToken = useAppStore((s) => s.adminToken)
  const setAdminToken = useAppStore((s) => s.setAdminToken)
  const session = useAppStore((s) => s.session)
  const organizerEvent =
    session.status === 'signed-in' && session.user.role === 'organizer' ? session.event : null
  const selectedEventName = useAppStore(
    (s) => s.events?.find((e) => e.id === s.selectedEventId)?.name ?? organizerEvent?.name ?? '',
  )

  return (
    <>
      <div className="console screen-only">
        <header className="console-header">
          <h1>Organizer console</h1>
          {adminToken ? (
            <button type="button" className="button button-secondary" onClick={() => setAdminToken(null)}>
              Forget admin token
            </button>
          ) : (
            organizerEvent && (
              <Link href="/" className="button button-secondary">
                Back to the chat
              </Link>
            )
          )}
        </header>
        <PlainHttpNotice />
        {adminToken ? (
          <AdminConsole />
        ) : organizerEvent ? (
          <OrganizerConsole event={organizerEvent} />
        ) : (
          <>
            <AdminTokenForm />
            <p className="muted">
              Organizers who joined with an organizer invitation manage their event's invitations here without
              the token. <Link href="/">Back to the start page</Link>
            </p>
          </>
        )}
      </div>
      <PrintSheet eventName={selectedEventName} />
    </>
  )
}
