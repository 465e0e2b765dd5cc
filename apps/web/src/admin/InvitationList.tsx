import type { Invitation } from '@secura/shared'
import type { IssuedCode } from '../store/admin.slice.ts'
import { InvitationItem } from './InvitationItem.tsx'

interface InvitationListProps {
  invitations: Invitation[]
  issuedCodes: Record<string, IssuedCode>
}

export function InvitationList({ invitations, issuedCodes }: InvitationListProps) {
  if (invitations.length === 0) return <p className="muted">No invitations yet.</p>
  return (
    <ul className="invitation-list">
      {invitations.map((invitation) => (
        <InvitationItem key={invitation.id} invitation={invitation} issued={issuedCodes[invitation.id]} />
      ))}
    </ul>
  )
}
