import type { LocalMessage } from '@secura/chat-client'
import { useEffect, useRef, useState } from 'react'
import { useAppStore } from '../../store/index.ts'
import type { NameBook } from '../names.ts'

const NO_MESSAGES: LocalMessage[] = []

interface NewMessageAnnouncerProps {
  conversationId: string
  meId: string
  names: NameBook
}

/** Screen readers hear new messages from others in the open conversation, without losing their place. */
export function NewMessageAnnouncer({ conversationId, meId, names }: NewMessageAnnouncerProps) {
  const messages = useAppStore((s) => s.chat.messages[conversationId]) ?? NO_MESSAGES
  const [announcement, setAnnouncement] = useState('')
  // The newest seq already on screen: the first page that loads is history, not news.
  const newestShown = useRef(0)

  useEffect(() => {
    const newest = messages.findLast((m) => m.state === 'sent')
    if (newest?.state !== 'sent') return
    const before = newestShown.current
    newestShown.current = Math.max(before, newest.seq)
    if (before === 0 || newest.seq <= before) return
    if (newest.senderId === meId || newest.deletedAt) return
    const text = newest.content.length > 200 ? `${newest.content.slice(0, 200)}…` : newest.content
    setAnnouncement(`${names(newest.senderId)}: ${text}`)
  }, [messages, meId, names])

  return (
    <div className="sr-only" aria-live="polite" data-testid="message-announcer">
      {announcement}
    </div>
  )
}
