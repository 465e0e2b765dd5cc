import { useEffect, useRef, useState } from 'react'
import { useAppStore } from '../../store/index.ts'
import { conversationTitle, useNameBook } from '../names.ts'
import { type Arrival, arrivals, type Seen, seenOf, totalUnread } from './arrivals.ts'
import { alertTitle, canAskToNotify, notifyHidden } from './systemNotifications.ts'

const TOAST_MS = 6000
const SHOWN = 3

interface Toast extends Arrival {
  key: number
  title: string
}

/**
 * What tells a guest that something arrived elsewhere: the favicon's badge while anything is unread, a
 * toast for a direct message or a mention in another conversation, and a system notification instead
 * while the tab is hidden (once the guest turned them on, from a toast: never unasked).
 */
export function ArrivalAlerts({ meId }: { meId: string }) {
  const conversations = useAppStore((s) => s.chat.conversations)
  const activeId = useAppStore((s) => s.activeConversationId)
  const openConversation = useAppStore((s) => s.openConversation)
  const names = useNameBook()
  const seen = useRef<Map<string, Seen> | null>(null)
  const nextKey = useRef(0)
  const [toasts, setToasts] = useState<Toast[]>([])
  const [askable, setAskable] = useState(canAskToNotify)

  const unread = totalUnread(conversations)
  useEffect(() => {
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]')
    if (icon) icon.href = unread > 0 ? '/favicon-unread.svg' : '/favicon.svg'
  }, [unread])
  useEffect(
    () => () => {
      const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]')
      if (icon) icon.href = '/favicon.svg'
    },
    [],
  )

  useEffect(() => {
    const before = seen.current
    seen.current = seenOf(conversations)
    if (!before) return
    const hidden = document.visibilityState === 'hidden'
    const found = arrivals(before, conversations, hidden ? null : activeId)
    if (found.length === 0) return
    const fresh = found.map((a): Toast => {
      const conversation = conversations.find((c) => c.id === a.conversationId)!
      // A direct conversation is named after its sender: no "in Ben" after "Ben mentioned you".
      const title = conversation.kind === 'direct' ? '' : conversationTitle(conversation, meId)
      return { ...a, key: nextKey.current++, title }
    })
    if (hidden) {
      for (const t of fresh) notifyHidden(t, names(t.senderId), () => openConversation(t.conversationId))
    }
    // One toast per conversation: a burst of messages updates it rather than stacking.
    const replaced = new Set(fresh.map((t) => t.conversationId))
    setToasts((list) => [...list.filter((t) => !replaced.has(t.conversationId)), ...fresh].slice(-SHOWN))
  }, [conversations, activeId, meId, names, openConversation])

  // The conversation opened (from a toast or the list) needs no toast any more.
  useEffect(() => {
    if (activeId) setToasts((list) => list.filter((t) => t.conversationId !== activeId))
  }, [activeId])

  // Each toast goes by itself after a while.
  useEffect(() => {
    if (toasts.length === 0) return
    const timer = window.setTimeout(() => setToasts((list) => list.slice(1)), TOAST_MS)
    return () => window.clearTimeout(timer)
  }, [toasts])

  const dismiss = (key: number) => setToasts((list) => list.filter((t) => t.key !== key))
  const ask = () => {
    setAskable(false)
    void Notification.requestPermission()
  }

  return (
    <section className="toasts" aria-label="New messages elsewhere" aria-live="polite">
      {toasts.map((t, index) => (
        <div key={t.key} className="toast" data-testid="toast" data-kind={t.kind}>
          <button
            type="button"
            className="toast-open"
            onClick={() => {
              dismiss(t.key)
              openConversation(t.conversationId)
            }}
          >
            <span className="toast-title">{alertTitle(t, names(t.senderId))}</span>
            <span className="toast-text">{t.text}</span>
          </button>
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(t.key)}>
            ×
          </button>
          {askable && index === toasts.length - 1 && (
            <button type="button" className="toast-ask" data-testid="notifications-on" onClick={ask}>
              Also notify me when this tab is hidden
            </button>
          )}
        </div>
      ))}
    </section>
  )
}
