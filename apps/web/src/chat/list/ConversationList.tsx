import { useMemo } from 'react'
import { useAppStore } from '../../store/index.ts'
import { useMe, useNameBook, useNamesFor } from '../names.ts'
import { ConversationListItem } from './ConversationListItem.tsx'
import { lastActivity, latestMessage, sortByActivity } from './conversationOrder.ts'

/** Every conversation I am in, newest activity first. */
export function ConversationList() {
  const me = useMe()
  const names = useNameBook()
  const conversations = useAppStore((s) => s.chat.conversations)
  const messages = useAppStore((s) => s.chat.messages)
  const activeId = useAppStore((s) => s.activeConversationId)
  const openConversation = useAppStore((s) => s.openConversation)
  const connection = useAppStore((s) => s.chat.connection)
  const ordered = useMemo(() => sortByActivity(conversations, messages), [conversations, messages])
  const previews = ordered.map((c) => latestMessage(c, messages[c.id]))
  useNamesFor(previews.flatMap((p) => (p ? [p.senderId, ...(p.system?.targetIds ?? [])] : [])))

  if (ordered.length === 0) {
    return (
      <p className="conversation-list-empty muted">
        {connection === 'connecting' ? 'Loading conversations…' : 'No conversations yet.'}
      </p>
    )
  }
  return (
    <ul className="conversation-list" aria-label="Conversations">
      {ordered.map((conversation, index) => (
        <ConversationListItem
          key={conversation.id}
          conversation={conversation}
          meId={me.id}
          names={names}
          preview={previews[index] ?? null}
          activity={lastActivity(conversation, messages[conversation.id])}
          active={conversation.id === activeId}
          onOpen={openConversation}
        />
      ))}
    </ul>
  )
}
