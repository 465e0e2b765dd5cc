import type { Composing } from '../../store/chat.slice.ts'
import { useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'
import type { NameBook } from '../names.ts'

interface ComposerContextProps {
  conversationId: string
  composing: Composing
  names: NameBook
  onCancel: () => void
}

/** Above the input: the message being answered, or that a message is being edited. */
export function ComposerContext({ conversationId, composing, names, onCancel }: ComposerContextProps) {
  const replyToId = composing.kind === 'new' ? composing.replyToId : null
  const original = useAppStore((s) =>
    replyToId
      ? s.chat.messages[conversationId]?.find((m) => m.state === 'sent' && m.id === replyToId)
      : undefined,
  )
  if (composing.kind === 'new' && !replyToId) return null

  const label =
    composing.kind === 'edit'
      ? 'Editing your message'
      : composing.kind === 'edit-failed'
        ? 'Editing your unsent message'
        : null
  return (
    <div className="composer-context" data-testid="composer-context">
      <p className="composer-context-text">
        {label ?? (
          <>
            Replying to <strong>{original ? names(original.senderId) : 'a message'}</strong>
            {original && <span className="composer-context-quote">{original.content}</span>}
          </>
        )}
      </p>
      <button
        type="button"
        className="icon-button"
        aria-label={label ? 'Cancel editing' : 'Cancel reply'}
        title="Cancel (Esc)"
        onClick={onCancel}
      >
        <Icon name="close" />
      </button>
    </div>
  )
}
