import type { DirectoryUser } from '@secura/shared'
import { ROLE_LABELS } from '../../components/roles.ts'
import { initials } from '../names.ts'
import { PresenceDot, usePresence } from '../PresenceDot.tsx'

/** Avatar with presence, the name, and the role when it is not "guest". */
export function PersonLabel({
  user,
  suffix,
}: {
  user: Pick<DirectoryUser, 'id' | 'displayName' | 'role'>
  suffix?: string
}) {
  const status = usePresence(user.id)
  return (
    <span className="person-label">
      <span className="avatar avatar-small">
        <span aria-hidden="true">{initials(user.displayName)}</span>
        <PresenceDot status={status} />
      </span>
      <span className="person-name">
        {user.displayName}
        {suffix && <span className="muted"> {suffix}</span>}
      </span>
      {user.role !== 'guest' && <span className={`badge badge-${user.role}`}>{ROLE_LABELS[user.role]}</span>}
    </span>
  )
}
