import { useEffect, useRef } from 'react'
import { useRoute } from '../../router.ts'
import { chatClient } from '../../store/index.ts'
import type { TimelineRow } from './timelineRows.ts'

/** How far back a linked message is looked for, in history pages. */
const MAX_PAGES = 20

/**
 * `/c/:id/m/:messageId`: brings the linked message into view once it is loaded, loading older pages until
 * it is (bounded). Each link is followed once; scrolling afterwards is the reader's.
 */
export function useLinkedMessage(
  conversationId: string,
  rows: TimelineRow[],
  hasOlder: boolean,
  jumpTo: (messageId: string) => void,
): void {
  const route = useRoute()
  const target =
    route.name === 'home' && route.conversationId === conversationId ? route.messageId : undefined
  const done = useRef<string | null>(null)
  const pages = useRef(0)
  const loading = useRef(false)
  useEffect(() => {
    if (!target || done.current === target) return
    if (rows.some((r) => r.message.state === 'sent' && r.message.id === target)) {
      done.current = target
      // After the rows' first layout, or the scroll lands on estimated sizes.
      requestAnimationFrame(() => jumpTo(target))
      return
    }
    if (!hasOlder || loading.current || pages.current >= MAX_PAGES) return
    loading.current = true
    pages.current++
    chatClient()
      .loadOlder(conversationId)
      .catch(() => undefined)
      .finally(() => {
        loading.current = false
      })
  }, [target, rows, hasOlder, conversationId, jumpTo])
}
