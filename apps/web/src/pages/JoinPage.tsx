import type { InvitationPreview } from '@secura/shared'
import { useEffect, useState } from 'react'
import { authApi } from '../api/auth.ts'
import { describeError, isAbort } from '../api/http.ts'
import { Link } from '../components/Link.tsx'
import { Notice } from '../components/Notice.tsx'
import { useDocumentTitle } from '../hooks/useDocumentTitle.ts'
import { invitationProblem } from '../join/invitationProblem.ts'
import { JoinForm } from '../join/JoinForm.tsx'
import { useAppStore } from '../store/index.ts'

type PreviewState =
  | { status: 'loading' }
  | { status: 'ready'; preview: InvitationPreview }
  | { status: 'failed'; error: unknown }

/** `/join/<code>`: where an invitation's QR code leads. Shows the event, asks for a name, signs the guest in. */
export function JoinPage({ code }: { code: string }) {
  const [state, setState] = useState<PreviewState>({ status: 'loading' })
  const [attempt, setAttempt] = useState(0)
  useDocumentTitle(state.status === 'ready' ? `Join ${state.preview.event.name}` : 'Join an event')

  useEffect(() => {
    const controller = new AbortController()
    setState({ status: 'loading' })
    authApi.previewInvitation(code, controller.signal).then(
      (preview) => setState({ status: 'ready', preview }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ status: 'failed', error })
      },
    )
    return () => controller.abort()
  }, [code, attempt])

  if (state.status === 'loading') {
    return (
      <section className="card" aria-busy="true">
        <h1>Opening your invitation…</h1>
        <p className="muted">One moment.</p>
      </section>
    )
  }

  if (state.status === 'failed') {
    const problem = invitationProblem(state.error)
    return (
      <section className="card">
        <h1>{problem?.title ?? 'Could not open the invitation'}</h1>
        <Notice tone="error">{problem?.text ?? describeError(state.error)}</Notice>
        {problem ? (
          <Link href="/" className="button button-secondary">
            Go to the start page
          </Link>
        ) : (
          <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        )}
      </section>
    )
  }

  return (
    <section className="card">
      <p className="eyebrow">You are invited to</p>
      <h1>{state.preview.event.name}</h1>
      <AlreadySignedIn />
      <JoinForm code={code} preview={state.preview} />
    </section>
  )
}

function AlreadySignedIn() {
  const session = useAppStore((s) => s.session)
  if (session.status !== 'signed-in') return null
  return (
    <Notice>
      You are already signed in as {session.user.displayName} at {session.event.name}. Joining with this
      invitation signs you in as a new guest. <Link href="/">Back to your chat</Link>
    </Notice>
  )
}
