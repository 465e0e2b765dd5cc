import type { User } from '@secura/shared'

export const ROLE_LABELS: Record<User['role'], string> = {
  guest: 'Guest',
  moderator: 'Moderator',
  organizer: 'Organizer',
}
