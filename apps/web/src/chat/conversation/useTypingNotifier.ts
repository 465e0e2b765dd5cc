import { TYPING_REFRESH_MS } from '@secura/shared'
import { useCallback, useEffect, useRef } from 'react'
import { useAppStore } from '../../store/index.ts'

/** No keystroke for this long: tell the others I stopped (the server would clear it a little later anyway). */
const IDLE_MS = 5000

/**
 * Tells the conversation I am typing: at the first keystroke, again every TYPING_REFRESH_MS while I keep
 * typing, and "stopped" when I pause, clear the text, send, or leave.
 */
export function useTypingNotifier(conversationId: string) {
  const lastSent = useRef(0)
  const idle = useRef<number | undefined>(undefined)

  const stop = useCallback(() => {
    window.clearTimeout(idle.current)
    if (lastSent.current === 0) return
    lastSent.current = 0
    useAppStore.getState().chatStorage?.setTyping(conversationId, false)
  }, [conversationId])

  const typed = useCallback(
    (text: string) => {
      if (!text.trim()) return stop()
      const now = Date.now()
      if (now - lastSent.current >= TYPING_REFRESH_MS) {
        lastSent.current = now
        useAppStore.getState().chatStorage?.setTyping(conversationId, true)
      }
      window.clearTimeout(idle.current)
      idle.current = window.setTimeout(stop, IDLE_MS)
    },
    [conversationId, stop],
  )

  useEffect(() => stop, [stop])
  return { typed, stop }
}
