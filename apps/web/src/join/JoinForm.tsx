import { type InvitationPreview, LIMITS, nameProblem as sharedNameProblem } from '@secura/shared'
import { type FormEvent, useId, useState } from 'react'
import { authApi } from '../api/auth.ts'
import { markJustJoined } from '../chat/useConversationUrl.ts'
import { Notice } from '../components/Notice.tsx'
import { ROLE_LABELS } from '../components/roles.ts'
import { useAction } from '../hooks/useAction.ts'
import { navigate } from '../router.ts'
import { useAppStore } from '../store/index.ts'
import { describeJoinError } from './invitationProblem.ts'

interface JoinFormProps {
  code: string
  preview: InvitationPreview
}

/** Picks the display name (or shows the one the organizer set) and redeems the invitation. */
export function JoinForm({ code, preview }: JoinFormProps) {
  const setSignedIn = useAppStore((s) => s.setSignedIn)
  const locked = preview.displayName !== null
  const [name, setName] = useState(preview.displayName ?? '')
  const [touched, setTouched] = useState(false)
  const id = useId()
  const [join, { pending, error }] = useAction(async (displayName: string) => {
    const { user, event } = await authApi.join({ code, displayName })
    markJustJoined()
    setSignedIn(user, event)
    // Replace: going back must not land on an invitation that is now used.
    navigate('/', { replace: true })
  }, describeJoinError)

  const trimmed = name.trim()
  // The server's own rules (no control, bidi or invisible characters), so a guest learns before sending.
  const refusal = trimmed && !locked ? sharedNameProblem(name, LIMITS.displayNameChars) : undefined
  const nameProblem = !trimmed
    ? 'Enter the name other guests will see.'
    : refusal
      ? `Your name ${refusal}.`
      : null

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setTouched(true)
    if (!nameProblem) void join(trimmed)
  }

  const hintId = `${id}-hint`
  const problemId = `${id}-problem`
  const showProblem = touched && nameProblem !== null
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <p className="muted">
        You will join as <strong>{ROLE_LABELS[preview.role].toLowerCase()}</strong>.
      </p>
      <div className="field">
        <label htmlFor={id}>Your display name</label>
        <input
          id={id}
          name="displayName"
          autoComplete="nickname"
          enterKeyHint="go"
          maxLength={LIMITS.displayNameChars}
          required
          readOnly={locked}
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => setTouched(true)}
          aria-invalid={showProblem}
          aria-describedby={showProblem ? `${hintId} ${problemId}` : hintId}
        />
        <p id={hintId} className="hint">
          {locked
            ? 'The organizer chose this name for you.'
            : `Shown to the other guests. Up to ${LIMITS.displayNameChars} characters.`}
        </p>
        {showProblem && (
          <p id={problemId} className="field-error">
            {nameProblem}
          </p>
        )}
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      <button type="submit" className="button button-block" disabled={pending}>
        {pending ? 'Joining…' : 'Join the chat'}
      </button>
    </form>
  )
}
