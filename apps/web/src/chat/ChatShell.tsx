import type { Event, User } from '@secura/shared'
import { Link } from '../components/Link.tsx'
import { Notice } from '../components/Notice.tsx'
import { ROLE_LABELS } from '../components/roles.ts'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'

interface ChatShellProps {
  user: User
  event: Event
}

/** The signed-in frame of the app: who and where you are, and the way out. The chat lives inside it. */
export function ChatShell({ user, event }: ChatShellProps) {
  const signOut = useAppStore((s) => s.signOut)
  const [runSignOut, { pending, error }] = useAction(signOut)

  return (
    <section className="card chat-shell" aria-labelledby="chat-shell-title">
      <header className="chat-shell-header">
        <div>
          <h1 id="chat-shell-title">
            Welcome {user.displayName} <span className="title-separator">—</span> {event.name}
          </h1>
          <p className="muted">
            Signed in as <span className={`badge badge-${user.role}`}>{ROLE_LABELS[user.role]}</span>
          </p>
        </div>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => void runSignOut()}
          disabled={pending}
        >
          {pending ? 'Signing out…' : 'Sign out'}
        </button>
      </header>
      {error && <Notice tone="error">{error}</Notice>}
      {user.role === 'organizer' && (
        <p>
          <Link href="/admin">Manage invitations</Link> for this event.
        </p>
      )}
    </section>
  )
}
