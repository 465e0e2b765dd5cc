import type { Event, User } from '@secura/shared'
import { useState } from 'react'
import { Link } from '../../components/Link.tsx'
import { Notice } from '../../components/Notice.tsx'
import { ROLE_LABELS } from '../../components/roles.ts'
import { useAction } from '../../hooks/useAction.ts'
import { useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'
import { NotificationSettings } from '../notify/NotificationSettings.tsx'
import { AddDevice } from './AddDevice.tsx'

/** The event, who I am, the way out, and the ways to start a conversation. */
export function SidebarHeader({ user, event }: { user: User; event: Event }) {
  const signOut = useAppStore((s) => s.signOut)
  const setChatDialog = useAppStore((s) => s.setChatDialog)
  const [runSignOut, { pending, error }] = useAction(signOut)
  const [confirming, setConfirming] = useState(false)

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
        aria-expanded={confirming}
        onClick={() => setConfirming(!confirming)}
        disabled={pending}
      >
        {pending ? 'Signing out…' : 'Sign out'}
      </button>
      {confirming && (
        <div
          className="sign-out-confirm"
          role="alertdialog"
          aria-label="Sign out?"
          data-testid="sign-out-confirm"
        >
          <p>
            Sign out of {event.name} on this device? Your invitation link has been used: to come back as{' '}
            {user.displayName}, with your conversations, ask an organizer for a new link.
          </p>
          <div className="button-group">
            <button
              type="button"
              className="button button-danger button-small"
              data-testid="confirm-sign-out"
              onClick={() => {
                setConfirming(false)
                void runSignOut()
              }}
            >
              Sign out
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => setConfirming(false)}
            >
              Stay signed in
            </button>
          </div>
        </div>
      )}
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
        <AddDevice />
        <NotificationSettings />
      </div>
      {error && <Notice tone="error">{error}</Notice>}
    </header>
  )
}
