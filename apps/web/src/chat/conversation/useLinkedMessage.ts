import { useEffect, useRef } from 'react'
import { useRoute } from '../../router.ts'
import { chatClient } from '../../store/index.ts'
import { linkTargetSeq } from '../search/linkTargets.ts'
import type { TimelineRow } from './timelineRows.ts'

/** How far back a linked message is looked for, in history pages. */
const MAX_PAGES = 20

/**
 * `/c/:id/m/:messageId`: brings the linked message into view once it is loaded, loading older pages until
 * it is (bounded); a message opened from search, whose seq is known, has its history loaded back to it in
 * one go. Each link is followed once; scrolling afterwards is the reader's.
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
  /** The link whose history was loaded back to its known seq. */
  const loadedTo = useRef<string | null>(null)
  useEffect(() => {
    if (!target || done.current === target) return
    if (rows.some((r) => r.message.state === 'sent' && r.message.id === target)) {
      done.current = target
      // After the rows' first layout, or the scroll lands on estimated sizes.
      requestAnimationFrame(() => jumpTo(target))
      return
    }
    if (!hasOlder || loading.current) return
    const seq = linkTargetSeq(target)
    let load: Promise<void>
    if (seq !== undefined && loadedTo.current !== target) {
      loadedTo.current = target
      load = chatClient().loadUntil(conversationId, seq)
    } else {
      // Paging, as for any link (also when loading back to a known seq failed).
      if (pages.current >= MAX_PAGES) return
      pages.current++
      load = chatClient().loadOlder(conversationId)
    }
    loading.current = true
    load
      .catch(() => undefined)
      .finally(() => {
        loading.current = false
      })
  }, [target, rows, hasOlder, conversationId, jumpTo])
}
