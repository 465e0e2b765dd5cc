import type { LocalMessage } from '@secura/chat-client'
import type { ConversationSummary } from '@secura/shared'
import { useCallback, useEffect, useRef } from 'react'
import { chatClient } from '../../store/index.ts'

/** The newest stored message's seq (outbox messages have none yet). */
export function newestSeq(messages: LocalMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]
    if (message?.state === 'sent') return message.seq
  }
  return 0
}

/**
 * Marks the conversation read up to its newest message while the reader can see it: the page is visible
 * and the timeline is at its end. Returns `check`, to call when the reader scrolls.
 */
export function useMarkRead(
  conversation: ConversationSummary,
  messages: LocalMessage[],
  atEnd: () => boolean,
) {
  const marked = useRef(0)
  const seq = newestSeq(messages)

  const check = useCallback(() => {
    if (document.visibilityState !== 'visible' || !atEnd()) return
    if (seq <= Math.max(conversation.lastReadSeq, marked.current)) return
    marked.current = seq
    chatClient()
      .markRead(conversation.id, seq)
      .catch(() => {
        marked.current = 0
      })
  }, [seq, conversation.id, conversation.lastReadSeq, atEnd])

  useEffect(() => {
    // After the rows render and the view settles on the newest message.
    const frame = window.requestAnimationFrame(check)
    document.addEventListener('visibilitychange', check)
    window.addEventListener('focus', check)
    return () => {
      window.cancelAnimationFrame(frame)
      document.removeEventListener('visibilitychange', check)
      window.removeEventListener('focus', check)
    }
  }, [check])

  return check
}
