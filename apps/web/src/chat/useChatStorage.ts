import { createChatStorage, createSocketIoTransport } from '@secura/chat-client'
import type { User } from '@secura/shared'
import { useEffect } from 'react'
import { request } from '../api/http.ts'
import { useAppStore } from '../store/index.ts'
import { watchActivity } from './notify/activity.ts'
import { loadPreferences, setPreferences } from './notify/preferences.ts'

/** Starts the signed-in user's chat storage for as long as the chat is on screen. */
export function useChatStorage(user: User): void {
  const attach = useAppStore((s) => s.attachChatStorage)
  const detach = useAppStore((s) => s.detachChatStorage)
  useEffect(() => {
    const storage = createChatStorage({
      me: { id: user.id, eventId: user.eventId },
      // The session cookie authenticates the socket and the requests: no token.
      transport: createSocketIoTransport({ request }),
    })
    attach(storage).catch(() => {
      // A storage stopped before it started (StrictMode remount, sign-out) has nothing to report.
      const state = useAppStore.getState()
      if (state.chatStorage === storage)
        state.setChatNotice('The chat could not start. Reload the page to try again.')
    })
    const stopActivity = watchActivity(storage)
    const stopPreferences = storage.onNotificationPreferences(setPreferences)
    // Offline, mute toggles wait for the first answer; nothing else depends on them.
    loadPreferences().catch(() => undefined)
    return () => {
      stopActivity()
      stopPreferences()
      setPreferences(null)
      detach()
    }
  }, [user.id, user.eventId, attach, detach])
}
