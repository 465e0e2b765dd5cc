import type { ReactionSummary } from '@secura/shared'
import { joinNames, type NameBook } from '../names.ts'

interface ReactionBarProps {
  reactions: ReactionSummary[]
  meId: string
  names: NameBook
  onToggle: (emoji: string) => void
}

/** Each emoji with its count; pressing one adds or removes mine. Who reacted shows on hover and focus. */
export function ReactionBar({ reactions, meId, names, onToggle }: ReactionBarProps) {
  const shown = reactions.filter((r) => r.userIds.length > 0)
  if (shown.length === 0) return null
  return (
    <ul className="reactions" aria-label="Reactions">
      {shown.map(({ emoji, userIds }) => {
        const mine = userIds.includes(meId)
        const who = joinNames(
          userIds.map((id) => (id === meId ? 'you' : names(id))),
          6,
        )
        return (
          <li key={emoji}>
            <button
              type="button"
              className="reaction"
              data-testid="reaction"
              data-emoji={emoji}
              data-count={userIds.length}
              aria-pressed={mine}
              aria-label={`${emoji} ${userIds.length}, from ${who}. ${mine ? 'Remove your reaction' : 'Add yours'}`}
              onClick={() => onToggle(emoji)}
            >
              <span aria-hidden="true">{emoji}</span>
              <span className="reaction-count" aria-hidden="true">
                {userIds.length}
              </span>
              <span className="reaction-who" aria-hidden="true" data-testid="reaction-who">
                {who}
              </span>
            </button>
          </li>
        )
      })}
    </ul>
  )
}
