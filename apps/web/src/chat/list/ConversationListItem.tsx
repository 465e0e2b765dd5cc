import type { ConversationSummary } from '@secura/shared'
import { systemLineText } from '../conversation/systemLines.ts'
import { Icon } from '../Icon.tsx'
import { conversationTitle, directPartner, initials, type NameBook } from '../names.ts'
import { PresenceDot, usePresence } from '../PresenceDot.tsx'
import { formatActivity } from '../time.ts'
import type { Preview } from './conversationOrder.ts'

interface ConversationListItemProps {
  conversation: ConversationSummary
  meId: string
  names: NameBook
  preview: Preview | null
  activity: string
  active: boolean
  onOpen: (conversationId: string) => void
}

function previewText(preview: Preview | null, meId: string, names: NameBook, kind: string): string {
  if (!preview) return 'No messages yet'
  if (preview.deleted) return 'message deleted'
  if (preview.system) return systemLineText(preview.system, names, meId)
  const text = preview.content.replace(/\s+/g, ' ')
  if (preview.senderId === meId) return `You: ${text}`
  return kind === 'direct' ? text : `${names(preview.senderId)}: ${text}`
}

export function ConversationListItem(props: ConversationListItemProps) {
  const { conversation, meId, names, preview, activity, active, onOpen } = props
  const title = conversationTitle(conversation, meId)
  const partner = conversation.kind === 'direct' ? directPartner(conversation, meId) : null
  const status = usePresence(partner?.userId)
  const unread = conversation.unreadCount
  const mentions = conversation.mentionCount
  const mark = preview?.state === 'failed' ? ' (not sent)' : preview?.state === 'pending' ? ' (sending)' : ''

  return (
    <li>
      <button
        type="button"
        className="conversation-item"
        data-testid="conversation-item"
        data-conversation-id={conversation.id}
        data-kind={conversation.kind}
        aria-current={active ? 'true' : undefined}
        onClick={() => onOpen(conversation.id)}
      >
        <span className={`avatar avatar-${conversation.kind}`} aria-hidden={partner ? undefined : true}>
          {conversation.kind === 'group' ? (
            <Icon name="users" />
          ) : conversation.kind === 'event' ? (
            <Icon name="message" />
          ) : (
            <span aria-hidden="true">{initials(title)}</span>
          )}
          {partner && <PresenceDot status={status} />}
        </span>
        <span className="conversation-item-body">
          <span className="conversation-item-line">
            <span className="conversation-item-title">{title}</span>
            <time className="conversation-item-time" dateTime={activity}>
              {formatActivity(activity)}
            </time>
          </span>
          <span className="conversation-item-line">
            <span className="conversation-item-preview">
              {previewText(preview, meId, names, conversation.kind)}
              {mark}
            </span>
            {mentions > 0 && (
              <span className="mention-badge" data-testid="mention-badge" data-count={mentions}>
                @{mentions > 99 ? '99+' : mentions}
                <span className="sr-only"> {mentions === 1 ? 'mention' : 'mentions'}</span>
              </span>
            )}
            {unread > 0 && (
              <span className="unread-badge" data-testid="unread-badge" data-count={unread}>
                {unread > 99 ? '99+' : unread}
                <span className="sr-only"> unread {unread === 1 ? 'message' : 'messages'}</span>
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  )
}
