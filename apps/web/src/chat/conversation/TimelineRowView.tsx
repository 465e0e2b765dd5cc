import type { LocalMessage } from '@secura/chat-client'
import type { User } from '@secura/shared'
import type { NameBook } from '../names.ts'
import { MessageItem } from './MessageItem.tsx'
import type { TimelineRow } from './timelineRows.ts'

interface TimelineRowViewProps {
  row: TimelineRow
  /** The first message unread when the conversation was opened: the "New messages" line goes above it. */
  firstUnread: boolean
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
      <MessageItem
        message={message}
        continued={row.continued}
        showSender={showSender}
        seenBy={row.seenBy}
        me={me}
        names={names}
        original={message.replyToId ? messagesById.get(message.replyToId) : undefined}
        onJumpTo={onJumpTo}
        onActionFailed={onActionFailed}
      />
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
