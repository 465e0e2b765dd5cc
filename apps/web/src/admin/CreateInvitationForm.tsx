import { type CreateInvitationBody, LIMITS, type User } from '@secura/shared'
import { type FormEvent, useState } from 'react'
import { Notice } from '../components/Notice.tsx'
import { ROLE_LABELS } from '../components/roles.ts'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'
import { localInputToIso, nowAsLocalInput } from './dates.ts'

const ROLES = Object.keys(ROLE_LABELS) as User['role'][]
/** Invitations one click makes: enough for a printed sheet, few enough to stay quick. */
const MAX_BATCH = 50

/** Makes one or more invitations for the selected event; their QR codes appear in the list. */
export function CreateInvitationForm() {
  const createInvitation = useAppStore((s) => s.createInvitation)
  const [role, setRole] = useState<User['role']>('guest')
  const [displayName, setDisplayName] = useState('')
  const [maxUses, setMaxUses] = useState('1')
  const [expiresAt, setExpiresAt] = useState('')
  const [count, setCount] = useState('1')
  const [created, setCreated] = useState<number | null>(null)
  const [create, { pending, error }] = useAction(async (body: CreateInvitationBody, times: number) => {
    // One after another: a failure stops the batch with the earlier ones already made and listed.
    for (let i = 0; i < times; i++) await createInvitation(body)
    return times
  })

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const expires = localInputToIso(expiresAt)
    const body: CreateInvitationBody = {
      role,
      maxUses: clamp(maxUses, 1, LIMITS.invitationMaxUses),
      ...(displayName.trim() && { displayName: displayName.trim() }),
      ...(expires && { expiresAt: expires }),
    }
    setCreated(null)
    const made = await create(body, clamp(count, 1, MAX_BATCH))
    if (made) setCreated(made)
  }

  return (
    <form className="stack invitation-form" onSubmit={submit} aria-label="New invitations">
      <div className="field-row">
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as User['role'])}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="invite-uses">Uses per code</label>
          <input
            id="invite-uses"
            type="number"
            inputMode="numeric"
            min={1}
            max={LIMITS.invitationMaxUses}
            required
            value={maxUses}
            onChange={(e) => setMaxUses(e.target.value)}
            aria-describedby="invite-uses-hint"
          />
          <p id="invite-uses-hint" className="hint">
            1 for a personal code; more for one shared code, e.g. at the door.
          </p>
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="invite-name">Guest name (optional)</label>
          <input
            id="invite-name"
            maxLength={LIMITS.displayNameChars}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            aria-describedby="invite-name-hint"
          />
          <p id="invite-name-hint" className="hint">
            Fixes the display name of whoever joins with it.
          </p>
        </div>
        <div className="field">
          <label htmlFor="invite-expires">Expires (optional)</label>
          <input
            id="invite-expires"
            type="datetime-local"
            min={nowAsLocalInput()}
            value={expiresAt}
            onChange={(e) => setExpiresAt(e.target.value)}
          />
        </div>
      </div>
      <div className="field field-narrow">
        <label htmlFor="invite-count">How many codes</label>
        <input
          id="invite-count"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_BATCH}
          required
          value={count}
          onChange={(e) => setCount(e.target.value)}
        />
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {created !== null && !error && (
        <Notice tone="success">
          {created === 1 ? 'Invitation created.' : `${created} invitations created.`}
        </Notice>
      )}
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Creating…' : 'Create invitations'}
      </button>
    </form>
  )
}

/** A whole number from a number input, kept within bounds. */
function clamp(value: string, min: number, max: number): number {
  const n = Math.trunc(Number(value))
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min
}
