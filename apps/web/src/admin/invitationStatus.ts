import type { Invitation } from '@secura/shared'
import type { IssuedCode } from '../store/admin.slice.ts'

export type InvitationStatus = 'active' | 'used' | 'expired' | 'revoked'

export const STATUS_LABELS: Record<InvitationStatus, string> = {
  active: 'Active',
  used: 'Used up',
  expired: 'Expired',
  revoked: 'Revoked',
}

export function invitationStatus(invitation: Invitation, now = Date.now()): InvitationStatus {
  if (invitation.revokedAt) return 'revoked'
  if (invitation.expiresAt && Date.parse(invitation.expiresAt) <= now) return 'expired'
  if (invitation.uses >= invitation.maxUses) return 'used'
  return 'active'
}

export interface PrintableInvitation {
  invitation: Invitation
  issued: IssuedCode
}

/** Invitations that can still admit someone and whose code this tab knows: the ones worth printing. */
export function printableInvitations(
  invitations: Invitation[] | null,
  issuedCodes: Record<string, IssuedCode>,
): PrintableInvitation[] {
  const printable: PrintableInvitation[] = []
  for (const invitation of invitations ?? []) {
    const issued = issuedCodes[invitation.id]
    if (issued && invitationStatus(invitation) === 'active') printable.push({ invitation, issued })
  }
  return printable
}
