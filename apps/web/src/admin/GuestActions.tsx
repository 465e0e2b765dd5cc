import type { DirectoryUser } from '@secura/shared'
import { useState } from 'react'
import type { ModerationCommand } from '../api/admin.ts'
import { describeError } from '../api/http.ts'
import type { IssuedCode } from '../store/admin.slice.ts'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'
import { QrImage } from './QrImage.tsx'

const MUTE_CHOICES = [
  { minutes: 10, label: '10 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 24 * 60, label: '1 day' },
]

/** What an organizer can do to one guest: mute for a while, remove, restore, make moderator (or guest again). */
export function GuestActions({ guest, onDone }: { guest: DirectoryUser; onDone: () => void }) {
  const moderate = useAppStore((s) => s.moderate)
  const reissueAccess = useAppStore((s) => s.reissueAccess)
  const [issued, setIssued] = useState<IssuedCode | null>(null)
  const [muting, setMuting] = useState(false)
  const [removing, setRemoving] = useState(false)
  const [typedName, setTypedName] = useState('')
  const [minutes, setMinutes] = useState(MUTE_CHOICES[0]!.minutes)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  if (guest.role === 'organizer') return null
  const run = async (command: ModerationCommand) => {
    setBusy(true)
    setError(null)
    try {
      await moderate(guest.id, command)
      setMuting(false)
      setRemoving(false)
      setTypedName('')
      setReason('')
      onDone()
    } catch (failure) {
      setError(describeError(failure))
    } finally {
      setBusy(false)
    }
  }
  const muted = guest.mutedUntil ?? null
  const name = guest.displayName

  return (
    <div className="guest-actions" data-testid="guest-actions">
      {guest.removed && <span className="badge badge-status-revoked">Removed</span>}
      {muted && (
        <span className="badge badge-status-expired" data-testid="guest-muted">
          Muted until {formatDateTime(muted)}
        </span>
      )}
      {guest.role === 'guest' && !guest.removed && !muting && (
        <button type="button" className="button button-small" onClick={() => setMuting(true)}>
          Mute
        </button>
      )}
      {guest.role === 'guest' && !guest.removed && !removing && (
        <button
          type="button"
          className="button button-small button-danger"
          data-testid="remove-guest"
          disabled={busy}
          onClick={() => setRemoving(true)}
        >
          Remove
        </button>
      )}
      {removing && (
        <form
          className="remove-confirm"
          aria-label={`Remove ${name}`}
          onSubmit={(e) => {
            e.preventDefault()
            if (typedName.trim() === name.trim()) void run({ kind: 'remove', body: {} })
          }}
        >
          <span className="hint">
            Their devices are signed out until you restore them. Type “{name}” to confirm:
          </span>
          <input
            aria-label={`Type ${name} to confirm`}
            data-testid="remove-confirm-name"
            autoComplete="off"
            value={typedName}
            onChange={(e) => setTypedName(e.target.value)}
          />
          <button
            type="submit"
            className="button button-small button-danger"
            data-testid="confirm-remove-guest"
            disabled={busy || typedName.trim() !== name.trim()}
          >
            Remove {name}
          </button>
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={() => {
              setRemoving(false)
              setTypedName('')
            }}
          >
            Cancel
          </button>
        </form>
      )}
      {(muted || guest.removed) && (
        <button
          type="button"
          className="button button-small"
          disabled={busy}
          onClick={() => void run({ kind: 'restore' })}
        >
          Restore
        </button>
      )}
      {!guest.removed && (
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={busy}
          onClick={() =>
            void reissueAccess(guest.id).then(setIssued, (failure: unknown) =>
              setError(describeError(failure)),
            )
          }
        >
          Re-issue access
        </button>
      )}
      {!guest.removed && (
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={busy}
          onClick={() =>
            void run({ kind: 'role', body: { role: guest.role === 'moderator' ? 'guest' : 'moderator' } })
          }
        >
          {guest.role === 'moderator' ? 'Make guest' : 'Make moderator'}
        </button>
      )}
      {muting && (
        <form
          className="mute-form"
          aria-label={`Mute ${name}`}
          onSubmit={(e) => {
            e.preventDefault()
            void run({ kind: 'mute', body: { minutes, ...(reason.trim() && { reason: reason.trim() }) } })
          }}
        >
          <select
            aria-label="For how long"
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
          >
            {MUTE_CHOICES.map((c) => (
              <option key={c.minutes} value={c.minutes}>
                {c.label}
              </option>
            ))}
          </select>
          <input
            aria-label="Reason (shown to the guest)"
            placeholder="Reason (shown to the guest)"
            maxLength={200}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className="button button-small" disabled={busy}>
            Mute {name}
          </button>
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={() => setMuting(false)}
          >
            Cancel
          </button>
        </form>
      )}
      {issued && (
        <div className="reissued" data-testid="reissued-access">
          <QrImage url={issued.url} label={`QR code of ${name}'s new personal link`} />
          <p>
            A new personal link for {name}, for one use: <code className="url">{issued.url}</code>
          </p>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
