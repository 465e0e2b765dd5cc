import { useAppStore } from '../../store/index.ts'
import { type NameBook, useNamesFor } from '../names.ts'

const NOBODY: string[] = []

export function typingText(userIds: string[], names: NameBook): string {
  const who = userIds.map(names)
  if (who.length === 0) return ''
  if (who.length === 1) return `${who[0]} is typing…`
  if (who.length === 2) return `${who[0]} and ${who[1]} are typing…`
  if (who.length === 3) return `${who[0]}, ${who[1]} and ${who[2]} are typing…`
  return `${who.length} people are typing…`
}

/** "Ana is typing…", on a line of its own that keeps its height so the view does not jump. */
export function TypingIndicator({ conversationId, names }: { conversationId: string; names: NameBook }) {
  const typing = useAppStore((s) => s.chat.typing[conversationId]) ?? NOBODY
  useNamesFor(typing)
  const text = typingText(typing, names)
  return (
    <div className="typing-slot">
      {text && (
        <p className="typing-indicator" data-testid="typing-indicator">
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </p>
      )}
    </div>
  )
}
