import { useCallback, useEffect, useRef, useState } from 'react'
import { chatClient } from '../../store/index.ts'

/** How close to the top (px, at least a screenful) the reader gets before the previous page is fetched. */
const PREFETCH_MARGIN = 400

/**
 * Loads older pages as the reader nears the top, one request at a time. `check` is called on scroll and
 * whenever the rows change: a short history that does not fill the view pulls the next page at once.
 */
export function useOlderHistory(
  conversationId: string,
  hasOlder: boolean,
  scroller: () => HTMLElement | null,
) {
  const [loading, setLoading] = useState(false)
  const [failed, setFailed] = useState(false)
  const busy = useRef(false)
  // The first paint starts at offset 0 until the view is pinned to the newest message: do not mistake it for "top".
  const armed = useRef(false)
  useEffect(() => {
    const timer = window.setTimeout(() => {
      armed.current = true
    }, 300)
    return () => window.clearTimeout(timer)
  }, [])

  const load = useCallback(async () => {
    if (busy.current) return
    busy.current = true
    setLoading(true)
    setFailed(false)
    try {
      await chatClient().loadOlder(conversationId)
    } catch {
      setFailed(true)
    } finally {
      busy.current = false
      setLoading(false)
    }
  }, [conversationId])

  const check = useCallback(() => {
    const element = scroller()
    if (!armed.current || !hasOlder || busy.current || failed || !element) return
    if (element.scrollTop < Math.max(PREFETCH_MARGIN, element.clientHeight)) void load()
  }, [hasOlder, failed, load, scroller])

  return { loading, failed, load, check }
}
