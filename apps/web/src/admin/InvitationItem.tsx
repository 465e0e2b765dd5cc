import type { Invitation } from '@secura/shared'
import { useRef, useState } from 'react'
import { Notice } from '../components/Notice.tsx'
import { ROLE_LABELS } from '../components/roles.ts'
import { useAction } from '../hooks/useAction.ts'
import type { IssuedCode } from '../store/admin.slice.ts'
import { useAppStore } from '../store/index.ts'
import { type CopyResult, copyText } from './copyText.ts'
import { formatDateTime } from './dates.ts'
import { invitationStatus, STATUS_LABELS } from './invitationStatus.ts'
import { QrImage } from './QrImage.tsx'

interface InvitationItemProps {
  invitation: Invitation
  /** Known only for invitations created in this tab. */
  issued: IssuedCode | undefined
}

export function InvitationItem({ invitation, issued }: InvitationItemProps) {
  const revokeInvitation = useAppStore((s) => s.revokeInvitation)
  const [revoke, { pending, error }] = useAction(revokeInvitation)
  const status = invitationStatus(invitation)
  const who = invitation.displayName ?? 'Any name'

  const confirmAndRevoke = () => {
    if (!window.confirm(`Revoke this ${ROLE_LABELS[invitation.role].toLowerCase()} invitation (${who})?`))
      return
    // Revoking stops new joins; the guests who already joined with it stay unless the organizer says so.
    const endSessions =
      invitation.uses > 0 &&
      window.confirm(
        `Also sign out the ${invitation.uses === 1 ? 'guest who' : `${invitation.uses} guests who`} joined with it? ` +
          'OK signs them out now on every device; Cancel lets them stay.',
      )
    void revoke(invitation.id, { endSessions })
  }

  return (
    <li className={`invitation invitation-${status}`}>
      {issued && status === 'active' && (
        <QrImage url={issued.url} label={`QR code of the invitation for ${who}`} />
      )}
      <div className="invitation-body">
        <p className="invitation-title">
          <span className={`badge badge-${invitation.role}`}>{ROLE_LABELS[invitation.role]}</span>{' '}
          <span className={`badge badge-status-${status}`}>{STATUS_LABELS[status]}</span>{' '}
          <strong>{who}</strong>
        </p>
        <p className="invitation-meta">
          Used {invitation.uses} of {invitation.maxUses}
          {invitation.redeemedBy && invitation.redeemedBy.length > 0 && (
            <span data-testid="redeemed-by">
              {' · by '}
              {invitation.redeemedBy.map((u) => u.displayName).join(', ')}
              {invitation.uses > invitation.redeemedBy.length && ' and others'}
            </span>
          )}
          {invitation.expiresAt && ` · expires ${formatDateTime(invitation.expiresAt)}`}
          {` · created ${formatDateTime(invitation.createdAt)}`}
        </p>
        {status === 'active' &&
          (issued ? (
            <InvitationLink url={issued.url} />
          ) : (
            <p className="hint">Its link and QR code were shown only when it was created.</p>
          ))}
        {error && <Notice tone="error">{error}</Notice>}
        {status === 'active' && (
          <button
            type="button"
            className="button button-small button-danger"
            disabled={pending}
            onClick={confirmAndRevoke}
          >
            {pending ? 'Revoking…' : 'Revoke'}
          </button>
        )}
      </div>
    </li>
  )
}

function InvitationLink({ url }: { url: string }) {
  const [copied, setCopied] = useState<CopyResult | null>(null)
  const text = useRef<HTMLElement>(null)
  const copy = () => {
    if (text.current) void copyText(url, text.current).then(setCopied)
  }
  return (
    <div className="invitation-link">
      <code className="url" ref={text}>
        {url}
      </code>
      <button type="button" className="button button-small button-secondary" onClick={copy}>
        {copied === 'copied' ? 'Copied' : 'Copy link'}
      </button>
      {copied === 'selected' && <span className="hint">Selected: copy it with your browser's Copy.</span>}
    </div>
  )
}
