import type { LocalMessage } from '@secura/chat-client'
import { Icon } from '../Icon.tsx'
import { formatClock, formatFull } from '../time.ts'

/** Time, "edited", and the delivery mark of my own messages. */
export function MessageMeta({ message }: { message: LocalMessage }) {
  const edited = message.state === 'sent' && message.editedAt !== null && message.deletedAt === null
  return (
    <span className="message-meta">
      <time dateTime={message.timestamp} title={formatFull(message.timestamp)}>
        {formatClock(message.timestamp)}
      </time>
      {edited && <span className="message-edited">edited</span>}
      {message.state === 'pending' && (
        <span className="message-mark message-mark-pending" role="img" aria-label="Sending" title="Sending">
          <Icon name="clock" />
        </span>
      )}
      {message.state === 'failed' && (
        <span className="message-mark message-mark-failed">
          <Icon name="alert" /> Not sent
        </span>
      )}
    </span>
  )
}
