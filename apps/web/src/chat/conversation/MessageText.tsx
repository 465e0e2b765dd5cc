import { useMemo } from 'react'
import { splitLinks } from '../links.ts'

/** Message text, always as text: only http(s) addresses become links, opened in a new tab. */
export function MessageText({ text }: { text: string }) {
  const parts = useMemo(() => splitLinks(text), [text])
  return (
    <p className="message-text">
      {parts.map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </p>
  )
}
