import type { DirectoryUser } from '@secura/shared'
import { useAppStore } from '../store/index.ts'

type Status = DirectoryUser['status']

export const PRESENCE_LABELS: Record<Status, string> = { online: 'Online', away: 'Away', offline: 'Offline' }

/** A user's presence: live from the storage, else what the directory said, else offline. */
export function usePresence(userId: string | undefined): Status {
  return useAppStore((s) =>
    userId ? (s.chat.presence[userId] ?? s.directory[userId]?.status ?? 'offline') : 'offline',
  )
}

export function PresenceDot({ status }: { status: Status }) {
  return (
    <span
      className={`presence-dot presence-${status}`}
      role="img"
      aria-label={PRESENCE_LABELS[status]}
      data-testid="presence"
      data-status={status}
    />
  )
}
