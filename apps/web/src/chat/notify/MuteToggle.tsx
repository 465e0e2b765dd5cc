import { useState } from 'react'
import { setMuted, useNotificationPreferences } from './preferences.ts'

/** No pushes from this conversation, on every device of the guest (the toasts in the open app stay). */
export function MuteToggle({ conversationId }: { conversationId: string }) {
  const prefs = useNotificationPreferences()
  const [busy, setBusy] = useState(false)
  const [failed, setFailed] = useState(false)
  if (!prefs) return null
  const muted = prefs.mutedConversationIds.includes(conversationId)
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      aria-pressed={muted}
      disabled={busy}
      data-testid="mute-conversation"
      title={
        failed
          ? 'Could not change it: try again'
          : muted
            ? 'Notifications are off for this conversation'
            : undefined
      }
      onClick={() => {
        setBusy(true)
        setFailed(false)
        setMuted(conversationId, !muted)
          .catch(() => setFailed(true))
          .finally(() => setBusy(false))
      }}
    >
      {muted ? 'Muted' : 'Mute'}
    </button>
  )
}
