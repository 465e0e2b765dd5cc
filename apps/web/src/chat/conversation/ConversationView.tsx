import { type DragEvent, useEffect, useRef, useState } from 'react'
import { describeError } from '../../api/http.ts'
import { useAppStore } from '../../store/index.ts'
import { addToDraft, filesOf } from '../attachments/draft.ts'
import { isWideLayout } from '../layout.ts'
import { conversationTitle, useMe, useNameBook } from '../names.ts'
import { Composer } from './Composer.tsx'
import { ConversationHeader } from './ConversationHeader.tsx'
import { MessageTimeline } from './MessageTimeline.tsx'
import { MissingConversation } from './MissingConversation.tsx'
import { NewMessageAnnouncer } from './NewMessageAnnouncer.tsx'
import { PinnedBoard } from './PinnedBoard.tsx'
import { TypingIndicator } from './TypingIndicator.tsx'
import { useEventEnded } from './useEventEnded.ts'

/** One conversation: header, messages, who is typing, the input. */
export function ConversationView({ conversationId }: { conversationId: string }) {
  const me = useMe()
  const names = useNameBook()
  const conversation = useAppStore((s) => s.chat.conversations.find((c) => c.id === conversationId))
  const openConversation = useAppStore((s) => s.openConversation)
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  const heading = useRef<HTMLHeadingElement>(null)
  const ended = useEventEnded()
  const [dropping, setDropping] = useState(false)

  // Arriving in a conversation: typing can start at once on a wide screen; on a phone the heading takes
  // the focus instead, so the keyboard does not cover the messages.
  const focused = useRef(false)
  useEffect(() => {
    if (focused.current || !conversation) return
    focused.current = true
    if (isWideLayout()) document.querySelector<HTMLElement>('[data-testid="message-input"]')?.focus()
    else heading.current?.focus()
  }, [conversation])

  const back = () => {
    openConversation(null)
    // Back in the list, on the conversation just left.
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`[data-conversation-id="${conversationId}"]`)?.focus(),
    )
  }

  if (!conversation) return <MissingConversation onBack={() => openConversation(null)} />
  const title = conversationTitle(conversation, me.id)
  // Files dragged onto the conversation join the next message; anything else dragged is left alone.
  const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files')
  const dragOver = (e: DragEvent) => {
    if (!carriesFiles(e)) return
    e.preventDefault()
    e.dataTransfer.dropEffect = 'copy'
    setDropping(true)
  }
  const dragLeave = (e: DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false)
  }
  const drop = (e: DragEvent) => {
    setDropping(false)
    if (!carriesFiles(e)) return
    e.preventDefault()
    void addToDraft(conversation.id, filesOf(e.dataTransfer))
  }
  return (
    <section
      className={dropping ? 'conversation conversation-dropping' : 'conversation'}
      onDragOver={dragOver}
      onDragLeave={dragLeave}
      onDrop={drop}
      aria-labelledby="conversation-title"
      data-conversation-id={conversation.id}
    >
      <ConversationHeader
        ref={heading}
        conversation={conversation}
        title={title}
        meId={me.id}
        onBack={back}
      />
      <PinnedBoard
        conversationId={conversation.id}
        lobby={conversation.kind === 'event'}
        me={me}
        names={names}
        onActionFailed={(error) => setChatNotice(describeError(error))}
      />
      <MessageTimeline conversation={conversation} me={me} showSenders={conversation.kind !== 'direct'} />
      <TypingIndicator conversationId={conversation.id} names={names} />
      {ended ? (
        <p className="event-ended-notice" role="status" data-testid="event-ended-notice">
          The event has ended. The chat stays here to read; nothing new can be sent.
        </p>
      ) : (
        <Composer
          conversationId={conversation.id}
          title={title}
          names={names}
          lobby={conversation.kind === 'event'}
        />
      )}
      <NewMessageAnnouncer conversationId={conversation.id} meId={me.id} names={names} />
    </section>
  )
}
