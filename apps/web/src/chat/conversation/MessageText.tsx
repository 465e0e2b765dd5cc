import { useMemo } from 'react'
import { splitLinks, type TextPart } from '../links.ts'
import { type MentionPart, splitMentions } from './mentions.ts'

/**
 * Message text, always as text: only http(s) addresses become links, opened in a new tab, and only the
 * message's own mentions become chips (mine stands out).
 */
export function MessageText({
  text,
  mentions = [],
}: {
  text: string
  mentions?: { name: string; me: boolean }[]
}) {
  const parts = useMemo(
    () =>
      splitLinks(text).flatMap<TextPart | MentionPart>((part) =>
        part.kind === 'link' ? [part] : mentions.length > 0 ? splitMentions(part.text, mentions) : [part],
      ),
    [text, mentions],
  )
  return (
    <p className="message-text">
      {parts.map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : part.kind === 'mention' ? (
          <span
            key={index}
            className={part.me ? 'mention-chip mention-chip-me' : 'mention-chip'}
            data-testid="mention-chip"
          >
            {part.text}
          </span>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </p>
  )
}
