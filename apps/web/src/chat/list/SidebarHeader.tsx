import type { Event, User } from '@secura/shared'
import { Link } from '../../components/Link.tsx'
import { Notice } from '../../components/Notice.tsx'
import { ROLE_LABELS } from '../../components/roles.ts'
import { useAction } from '../../hooks/useAction.ts'
import { useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'

/** The event, who I am, the way out, and the ways to start a conversation. */
export function SidebarHeader({ user, event }: { user: User; event: Event }) {
  const signOut = useAppStore((s) => s.signOut)
  const setChatDialog = useAppStore((s) => s.setChatDialog)
  const [runSignOut, { pending, error }] = useAction(signOut)

  return (
    <header className="sidebar-header">
      <div className="sidebar-identity">
        <h1 className="sidebar-event">{event.name}</h1>
        <p className="sidebar-me">
          <span className="sidebar-me-name">{user.displayName}</span>
          {user.role !== 'guest' && (
            <span className={`badge badge-${user.role}`}>{ROLE_LABELS[user.role]}</span>
          )}
          {user.role === 'organizer' && <Link href="/admin">Organizer console</Link>}
        </p>
      </div>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => void runSignOut()}
        disabled={pending}
      >
        {pending ? 'Signing out…' : 'Sign out'}
      </button>
      <div className="sidebar-actions">
        <button
          type="button"
          className="button button-small"
          data-testid="new-direct"
          onClick={() => setChatDialog('directory')}
        >
          <Icon name="message" /> New message
        </button>
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="new-group"
          onClick={() => setChatDialog('new-group')}
        >
          <Icon name="plus" /> New group
        </button>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
    </header>
  )
}
