import { useCallback, useRef } from 'react'
import { chatClient } from '../../store/index.ts'

/** How close to the bottom (px, at least a screenful) the reader gets before the next page is fetched. */
const PREFETCH_MARGIN = 400
/** After a page failed (offline), scrolling asks again no sooner than this. */
const RETRY_AFTER_MS = 5000

/**
 * In a window opened at a message (useLinkedMessage), loads newer pages as the reader nears its bottom,
 * one request at a time, until it reaches the latest messages and joins them. `check` is called on scroll
 * and whenever the rows change.
 */
export function useNewerHistory(
  conversationId: string,
  hasNewer: boolean,
  scroller: () => HTMLElement | null,
) {
  const busy = useRef(false)
  const failedAt = useRef(0)

  return useCallback(() => {
    const element = scroller()
    if (!hasNewer || busy.current || !element || Date.now() - failedAt.current < RETRY_AFTER_MS) return
    const below = element.scrollHeight - element.scrollTop - element.clientHeight
    if (below >= Math.max(PREFETCH_MARGIN, element.clientHeight)) return
    busy.current = true
    chatClient()
      .loadNewer(conversationId)
      .catch(() => {
        failedAt.current = Date.now()
      })
      .finally(() => {
        busy.current = false
      })
  }, [hasNewer, conversationId, scroller])
}
