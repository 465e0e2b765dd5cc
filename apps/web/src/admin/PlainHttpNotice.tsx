import { useState } from 'react'

const DISMISSED = 'secura:plain-http-notice-dismissed'

/**
 * Told once to the organizer (guests never see it): the page is not a secure context (plain http from a
 * LAN name or address), so the browser withholds what needs one. The chat itself works without them.
 */
export function PlainHttpNotice() {
  const [hidden, setHidden] = useState(() => window.isSecureContext || wasDismissed())
  if (hidden) return null

  const dismiss = () => {
    setHidden(true)
    try {
      window.localStorage.setItem(DISMISSED, '1')
    } catch {
      // Storage refused (a private window): it stays dismissed for this page only.
    }
  }

  return (
    <aside className="notice plain-http-notice" aria-label="About plain http" data-testid="plain-http-notice">
      <p>
        Served over plain http: joining, chat and the offline outbox work. Over https, phones also get the app
        with no network (its offline shell), notifications, one-tap copying, and tabs that hand over sending
        at once. See <code>docs/venue.md</code>.
      </p>
      <button type="button" className="button button-small button-secondary" onClick={dismiss}>
        Dismiss
      </button>
    </aside>
  )
}

function wasDismissed(): boolean {
  try {
    return window.localStorage.getItem(DISMISSED) === '1'
  } catch {
    return false
  }
}
