import { useCallback, useEffect, useRef } from 'react'
import { describeError } from '../../api/http.ts'
import { useRoute } from '../../router.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { linkTargetSeq } from '../search/linkTargets.ts'
import type { TimelineRow } from './timelineRows.ts'

/**
 * `/c/:id/m/:messageId`: brings the linked message into view, centred. One not among the loaded messages is
 * opened where it is (the chat client's window: one page around it, by its seq when search told it, else by
 * its id), not by loading all the history after it. Each link is followed once; scrolling afterwards is the
 * reader's. The conversation opened without a link shows the latest. Returns the linked message's id, and
 * whether it is still being brought into view (the view is not yet where the reader is going: nothing there
 * counts as read).
 */
export function useLinkedMessage(
  conversationId: string,
  rows: TimelineRow[],
  jumpTo: (messageId: string) => void,
): { linkedId: string | undefined; following: () => boolean } {
  const route = useRoute()
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  const target =
    route.name === 'home' && route.conversationId === conversationId ? route.messageId : undefined
  const done = useRef<string | null>(null)
  const requested = useRef<string | null>(null)

  useEffect(() => {
    if (!target) chatClient().leaveWindow(conversationId)
  }, [target, conversationId])

  useEffect(() => {
    if (!target || done.current === target) return
    if (rows.some((r) => r.message.state === 'sent' && r.message.id === target)) {
      done.current = target
      // After the rows' first layout, or the scroll lands on estimated sizes.
      requestAnimationFrame(() => jumpTo(target))
      return
    }
    if (requested.current === target) return
    requested.current = target
    const seq = linkTargetSeq(target)
    chatClient()
      .openAround(conversationId, seq !== undefined ? { seq } : { messageId: target })
      .catch((error: unknown) => {
        done.current = target
        setChatNotice(describeError(error))
      })
  }, [target, rows, conversationId, jumpTo, setChatNotice])

  const following = useCallback(() => target !== undefined && done.current !== target, [target])
  return { linkedId: target, following }
}
