import type { ChatError } from '@secura/shared'

interface FailedActionsProps {
  error: ChatError | undefined
  onRetry: () => void
  onEdit: () => void
  onDiscard: () => void
}

/** A message the server refused: why, and what can be done about it. */
export function FailedActions({ error, onRetry, onEdit, onDiscard }: FailedActionsProps) {
  return (
    <fieldset className="button-group failed-actions">
      <legend className="sr-only">Message not sent</legend>
      {error && <p className="failed-reason">{error.message}</p>}
      <button
        type="button"
        className="button button-secondary button-small"
        data-testid="retry-message"
        onClick={onRetry}
      >
        Retry
      </button>
      <button
        type="button"
        className="button button-secondary button-small"
        data-testid="edit-failed-message"
        onClick={onEdit}
      >
        Edit
      </button>
      <button
        type="button"
        className="button button-danger button-small"
        data-testid="discard-message"
        onClick={onDiscard}
      >
        Discard
      </button>
    </fieldset>
  )
}
