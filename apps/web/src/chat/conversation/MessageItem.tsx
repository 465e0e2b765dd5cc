import type { LocalMessage } from '@secura/chat-client'
import type { User } from '@secura/shared'
import { useMemo } from 'react'
import { reportMessage } from '../../api/reports.ts'
import { ROLE_LABELS } from '../../components/roles.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { MessageAttachments } from '../attachments/MessageAttachments.tsx'
import { PendingAttachments } from '../attachments/PendingAttachments.tsx'
import { joinNames, type NameBook } from '../names.ts'
import { FailedActions } from './FailedActions.tsx'
import { MessageMeta } from './MessageMeta.tsx'
import { MessageText } from './MessageText.tsx'
import { MessageToolbar } from './MessageToolbar.tsx'
import { ReactionBar } from './ReactionBar.tsx'
import { ReplyQuote } from './ReplyQuote.tsx'

interface MessageItemProps {
  message: LocalMessage
  continued: boolean
  /** Opened by a link or a search hit: marked out until another is opened. */
  linked?: boolean
  /** False where the sender goes without saying (a direct conversation); screen readers still hear it. */
  showSender: boolean
  seenBy: string[] | null
  me: User
  names: NameBook
  /** The message this one replies to, when it is loaded. */
  original: LocalMessage | undefined
  onJumpTo: (messageId: string) => void
  onActionFailed: (error: unknown) => void
}

const MODERATORS: User['role'][] = ['moderator', 'organizer']

/** One message: who and when, the quoted reply, the text (as text), reactions, and what I may do with it. */
export function MessageItem(props: MessageItemProps) {
  const { message, continued, linked, showSender, seenBy, me, names, original, onJumpTo, onActionFailed } =
    props
  const setComposing = useAppStore((s) => s.setComposing)
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  const own = message.senderId === me.id
  const sent = message.state === 'sent' ? message : null
  const deleted = sent?.deletedAt != null
  const sender = own ? 'You' : names(message.senderId)
  // The role as the directory last said: organizers and moderators carry a badge in the timeline.
  const senderRole = useAppStore((s) => (s.people[message.senderId] ?? s.directory[message.senderId])?.role)
  const run = (action: () => Promise<void>) => void action().catch(onActionFailed)
  const mentioned = useMemo(
    () => [
      ...(message.mentions ?? []).map((id) => ({ name: names(id), me: id === me.id })),
      ...(message.mentionsHere ? [{ name: 'here', me: !own }] : []),
    ],
    [message.mentions, message.mentionsHere, names, me.id, own],
  )

  const classes = [
    'message',
    own ? 'message-own' : 'message-other',
    continued && 'message-continued',
    linked && 'message-linked',
    sent?.announcement && !deleted && 'message-announcement',
  ]
  return (
    <article
      className={classes.filter(Boolean).join(' ')}
      data-testid="message"
      data-state={message.state}
      data-message-id={sent?.id}
      data-sender-id={message.senderId}
      data-linked={linked ? 'true' : undefined}
      tabIndex={-1}
    >
      <p className={continued || own || !showSender ? 'sr-only' : 'message-sender'}>
        {sender}
        {senderRole && senderRole !== 'guest' && (
          <span className={`badge badge-${senderRole}`} data-testid="sender-badge">
            {ROLE_LABELS[senderRole]}
          </span>
        )}
      </p>
      <div className="message-line">
        <div className={deleted ? 'message-bubble message-bubble-deleted' : 'message-bubble'}>
          {message.replyToId && (
            <ReplyQuote
              original={original}
              names={names}
              onJump={original?.state === 'sent' ? () => onJumpTo(original.id) : undefined}
            />
          )}
          {!deleted && (sent?.announcement || sent?.pinnedAt) && (
            <p className="message-marks" data-testid="message-marks">
              {sent.announcement && <span className="mark mark-announcement">Announcement</span>}
              {sent.pinnedAt && <span className="mark mark-pinned">Pinned</span>}
            </p>
          )}
          {deleted ? (
            <p className="message-deleted">
              {sent?.deletedBy && sent.deletedBy !== message.senderId
                ? 'removed by a moderator'
                : 'message deleted'}
            </p>
          ) : (
            <>
              {sent?.attachments && <MessageAttachments attachments={sent.attachments} />}
              {message.state !== 'sent' && message.files && message.files.length > 0 && (
                <PendingAttachments
                  clientMessageId={message.clientMessageId}
                  files={message.files}
                  failed={message.state === 'failed'}
                  onActionFailed={onActionFailed}
                />
              )}
              {/* A message of photos only has no text to show. */}
              {message.content !== '' && <MessageText text={message.content} mentions={mentioned} />}
            </>
          )}
          <MessageMeta message={message} />
        </div>
        {sent && !deleted && (
          <MessageToolbar
            canEdit={own}
            canDelete={own || MODERATORS.includes(me.role)}
            onReact={(emoji) => run(() => chatClient().react(sent.id, emoji))}
            onReply={() => setComposing({ kind: 'new', replyToId: sent.id })}
            onEdit={() => setComposing({ kind: 'edit', messageId: sent.id, content: sent.content })}
            onDelete={() => run(() => chatClient().remove(sent.id))}
            pinned={MODERATORS.includes(me.role) ? sent.pinnedAt !== undefined : undefined}
            onPin={(pinned) => run(() => chatClient().pin(sent.id, pinned))}
            onReport={
              own
                ? undefined
                : (reason) =>
                    run(async () => {
                      await reportMessage(sent.conversationId, sent.id, reason)
                      setChatNotice('Thank you: the organizers will look at it.')
                    })
            }
          />
        )}
      </div>
      {message.state === 'failed' && (
        <FailedActions
          error={message.error}
          onRetry={() => run(() => chatClient().retry(message.clientMessageId))}
          onEdit={() =>
            setComposing({
              kind: 'edit-failed',
              clientMessageId: message.clientMessageId,
              content: message.content,
            })
          }
          onDiscard={() => run(() => chatClient().discard(message.clientMessageId))}
        />
      )}
      {sent && !deleted && (
        <ReactionBar
          reactions={sent.reactions}
          meId={me.id}
          names={names}
          onToggle={(emoji) => run(() => chatClient().react(sent.id, emoji))}
        />
      )}
      {seenBy && seenBy.length > 0 && (
        <p className="seen-by" data-testid="seen-by">
          Seen by {joinNames(seenBy.map(names), 4)}
        </p>
      )}
    </article>
  )
}
