import { chatClient, useAppStore } from '../store/index.ts'
import { useNameBook } from './names.ts'

/**
 * The newest announcement I have not dismissed, above everything while the lobby is not open (there, the
 * announcements stand at the top of the conversation itself): seen on arrival, wherever one lands.
 */
export function AnnouncementBanner({ lobbyId }: { lobbyId: string | undefined }) {
  const latest = useAppStore((s) => s.chat.announcements[0])
  const activeId = useAppStore((s) => s.activeConversationId)
  const openConversation = useAppStore((s) => s.openConversation)
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  const names = useNameBook()
  if (!latest || !lobbyId || activeId === lobbyId) return null
  return (
    <div className="announcement-banner" role="status" data-testid="announcement-banner">
      <p className="announcement-banner-text">
        <strong>Announcement</strong> · {names(latest.senderId)}: {latest.content}
      </p>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => openConversation(lobbyId)}
      >
        Read
      </button>
      <button
        type="button"
        className="button button-secondary button-small"
        data-testid="dismiss-banner"
        onClick={() =>
          void chatClient()
            .dismissAnnouncement(latest.id)
            .catch(() => setChatNotice('The announcement could not be dismissed. Try again.'))
        }
      >
        Dismiss
      </button>
    </div>
  )
}
