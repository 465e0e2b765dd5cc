import { ChatShell } from '../chat/ChatShell.tsx'
import { totalUnread } from '../chat/notify/arrivals.ts'
import { Link } from '../components/Link.tsx'
import { Notice } from '../components/Notice.tsx'
import { useDocumentTitle } from '../hooks/useDocumentTitle.ts'
import { useAppStore } from '../store/index.ts'

/** `/`: the event chat for a signed-in guest; how to get in for everyone else. */
export function HomePage() {
  const session = useAppStore((s) => s.session)
  const loadSession = useAppStore((s) => s.loadSession)
  const unread = useAppStore((s) => totalUnread(s.chat.conversations))
  useDocumentTitle(session.status === 'signed-in' ? session.event.name : '', unread)

  switch (session.status) {
    case 'loading':
      return (
        <section className="card" aria-busy="true">
          <h1>Secura Chat</h1>
          <p className="muted">Checking your session…</p>
        </section>
      )
    case 'unreachable':
      return (
        <section className="card">
          <h1>Secura Chat</h1>
          <Notice tone="error">{session.message}</Notice>
          <button type="button" className="button" onClick={() => void loadSession()}>
            Try again
          </button>
        </section>
      )
    case 'signed-in':
      return <ChatShell user={session.user} event={session.event} />
    case 'signed-out':
      return <SignedOutWelcome />
  }
}

function SignedOutWelcome() {
  return (
    <section className="card welcome">
      <h1>Scan your invitation QR code to join</h1>
      <p>
        Secura Chat is the private chat of your event. Your invitation carries a QR code: scan it with your
        phone's camera, choose the name other guests will see, and you are in.
      </p>
      <p className="muted">No account and no app to install.</p>
      <p className="welcome-footer">
        Organizing an event? <Link href="/admin">Open the organizer console</Link>
      </p>
    </section>
  )
}
