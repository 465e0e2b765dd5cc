import type { LocalMessage } from '@secura/chat-client'
import type { NameBook } from '../names.ts'

interface ReplyQuoteProps {
  /** The message replied to; undefined when it is not loaded (older than the history on screen). */
  original: LocalMessage | undefined
  names: NameBook
  onJump?: (() => void) | undefined
}

const excerpt = (text: string) => (text.length > 140 ? `${text.slice(0, 140)}…` : text)

/** The quoted message a reply answers; jumps to it when it is on the timeline. */
export function ReplyQuote({ original, names, onJump }: ReplyQuoteProps) {
  const deleted = original?.state === 'sent' && original.deletedAt !== null
  const body = !original ? (
    <span className="reply-quote-text">An earlier message</span>
  ) : (
    <>
      <span className="reply-quote-sender">{names(original.senderId)}</span>
      <span className="reply-quote-text">{deleted ? 'message deleted' : excerpt(original.content)}</span>
    </>
  )
  if (!original || !onJump) {
    return (
      <blockquote className="reply-quote" data-testid="reply-quote">
        <span className="sr-only">In reply to: </span>
        {body}
      </blockquote>
    )
  }
  return (
    <blockquote className="reply-quote" data-testid="reply-quote">
      <button type="button" className="reply-quote-jump" onClick={onJump}>
        <span className="sr-only">In reply to (show the message): </span>
        {body}
      </button>
    </blockquote>
  )
}
