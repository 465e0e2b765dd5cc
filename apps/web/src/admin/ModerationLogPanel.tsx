import type { ModerationAction } from '@secura/shared'
import { useEffect, useState } from 'react'
import { describeError } from '../api/http.ts'
import { useAppStore } from '../store/index.ts'
import { formatDateTime } from './dates.ts'

function describe(a: ModerationAction): string {
  switch (a.action) {
    case 'mute':
      return `muted ${a.targetName} until ${a.until ? formatDateTime(a.until) : '?'}`
    case 'remove':
      return `removed ${a.targetName}`
    case 'restore':
      return `restored ${a.targetName}`
    case 'role':
      return `made ${a.targetName} ${a.role === 'moderator' ? 'a moderator' : 'a guest'}`
  }
}

/** Every moderation action of the event, newest first: who, what, when (and why, when given). */
export function ModerationLogPanel({ version }: { version: number }) {
  const moderationLog = useAppStore((s) => s.moderationLog)
  const [actions, setActions] = useState<ModerationAction[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    moderationLog().then(
      (log) => current && setActions(log.actions),
      (failure: unknown) => current && setError(describeError(failure)),
    )
    return () => {
      current = false
    }
  }, [moderationLog, version])

  return (
    <div className="stack" data-testid="moderation-log">
      <h3>Moderation log</h3>
      {error && <p className="field-error">{error}</p>}
      {actions?.length === 0 && <p className="muted">No moderation yet.</p>}
      {actions && actions.length > 0 && (
        <ul className="moderation-log">
          {actions.map((a) => (
            <li key={a.id} data-testid="moderation-entry" data-action={a.action}>
              <time className="muted" dateTime={a.createdAt}>
                {formatDateTime(a.createdAt)}
              </time>{' '}
              {a.actorName ?? 'The operator'} {describe(a)}
              {a.reason ? ` — “${a.reason}”` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
