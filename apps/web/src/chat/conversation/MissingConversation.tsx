import { useEffect, useState } from 'react'

/** How long a conversation just created or opened may take to appear in the list. */
const GRACE_MS = 3000

/** The open conversation is not (or no longer) in my list: still arriving, or left / removed. */
export function MissingConversation({ onBack }: { onBack: () => void }) {
  const [gone, setGone] = useState(false)
  useEffect(() => {
    const timer = window.setTimeout(() => setGone(true), GRACE_MS)
    return () => window.clearTimeout(timer)
  }, [])
  return (
    <section className="conversation conversation-missing" aria-live="polite">
      {gone ? (
        <>
          <p className="muted">
            You cannot see this conversation: it is not one of yours, or you are no longer in it.
          </p>
          <button type="button" className="button button-secondary" onClick={onBack}>
            Back to conversations
          </button>
        </>
      ) : (
        <p className="muted">Opening the conversation…</p>
      )}
    </section>
  )
}
