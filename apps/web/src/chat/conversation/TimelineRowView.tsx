import type { LocalMessage } from '@secura/chat-client'
import type { User } from '@secura/shared'
import type { NameBook } from '../names.ts'
import { MessageItem } from './MessageItem.tsx'
import { systemLineText } from './systemLines.ts'
import type { TimelineRow } from './timelineRows.ts'

interface TimelineRowViewProps {
  row: TimelineRow
  /** The first message unread when the conversation was opened: the "New messages" line goes above it. */
  firstUnread: boolean
  /** The message a link or a search hit opened: marked out. */
  linked: boolean
  me: User
  names: NameBook
  messagesById: Map<string, LocalMessage>
  showSender: boolean
  onJumpTo: (messageId: string) => void
  onActionFailed: (error: unknown) => void
}

export function TimelineRowView({
  row,
  firstUnread,
  linked,
  me,
  names,
  messagesById,
  showSender,
  onJumpTo,
  onActionFailed,
}: TimelineRowViewProps) {
  const { message } = row
  return (
    <>
      {firstUnread && (
        <p className="new-messages-divider" data-testid="new-messages-divider">
          <span>New messages</span>
        </p>
      )}
      {message.state === 'sent' && message.system ? (
        <p className="system-line" data-testid="system-line" data-message-id={message.id}>
          <span>{systemLineText(message.system, names, me.id)}</span>
        </p>
      ) : (
        <MessageItem
          message={message}
          continued={row.continued}
          linked={linked}
          showSender={showSender}
          seenBy={row.seenBy}
          me={me}
          names={names}
          original={message.replyToId ? messagesById.get(message.replyToId) : undefined}
          onJumpTo={onJumpTo}
          onActionFailed={onActionFailed}
        />
      )}
      {row.nextDay && <DaySeparator label={row.nextDay} />}
    </>
  )
}

export function DaySeparator({ label }: { label: string }) {
  return (
    <h3 className="day-separator">
      <span>{label}</span>
    </h3>
  )
}
