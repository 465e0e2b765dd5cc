import type { NotificationPreferences, QuietHours } from '@secura/shared'
import { useSyncExternalStore } from 'react'
import { request } from '../../api/http.ts'

/**
 * The guest's notification preferences (muted conversations, quiet hours): loaded once the chat starts,
 * replaced by every answer and by `notifications:updated` from the guest's other devices.
 */
let current: NotificationPreferences | null = null
const listeners = new Set<() => void>()

export function setPreferences(next: NotificationPreferences | null): void {
  current = next
  for (const listener of listeners) listener()
}

export function useNotificationPreferences(): NotificationPreferences | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => current,
  )
}

export async function loadPreferences(): Promise<void> {
  setPreferences(await request<NotificationPreferences>('GET', '/api/chat/notifications', { token: null }))
}

export async function setMuted(conversationId: string, muted: boolean): Promise<void> {
  setPreferences(
    await request<NotificationPreferences>('PUT', `/api/chat/conversations/${conversationId}/mute`, {
      token: null,
      body: { muted },
    }),
  )
}

export async function setQuietHours(quietHours: QuietHours | null): Promise<void> {
  setPreferences(
    await request<NotificationPreferences>('PUT', '/api/chat/notifications/quiet-hours', {
      token: null,
      body: { quietHours },
    }),
  )
}
