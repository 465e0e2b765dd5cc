import type { LocalMessage } from '@secura/chat-client'
import type { Message, User } from '@secura/shared'
import { useEffect, useMemo, useState } from 'react'
import { conversationPath, navigate } from '../../router.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import type { NameBook } from '../names.ts'
import { isStaff } from './lobbyRules.ts'

const NONE: readonly never[] = []

/**
 * The top of a conversation: in the lobby, the announcements I have not dismissed (marked, each with its
 * Dismiss); in any conversation, its pinned messages, folded into one line until opened.
 */
export function PinnedBoard({
  conversationId,
  lobby,
  me,
  names,
  onActionFailed,
}: {
  conversationId: string
  lobby: boolean
  me: User
  names: NameBook
  onActionFailed: (error: unknown) => void
}) {
  const announcements = useAppStore((s) => (lobby ? s.chat.announcements : NONE))
  const loaded = useAppStore((s) => s.chat.messages[conversationId] ?? NONE)
  const pins = usePins(conversationId, loaded)
  const run = (action: () => Promise<void>) => void action().catch(onActionFailed)
  if (announcements.length === 0 && pins.length === 0) return null
  const latest = pins[0]
  return (
    <div className="pinned-board" data-testid="pinned-board">
      {announcements.length > 0 && (
        <ul className="announcements" aria-label="Announcements">
          {announcements.map((a) => (
            <li key={a.id} className="announcement" data-testid="announcement" data-message-id={a.id}>
              <span className="announcement-label">
                Announcement
                <span className="announcement-from">
                  {' '}
                  · {a.senderId === me.id ? 'You' : names(a.senderId)}
                </span>
              </span>
              <p className="announcement-text">{a.content}</p>
              <button
                type="button"
                className="button button-secondary button-small"
                data-testid="dismiss-announcement"
                onClick={() => run(() => chatClient().dismissAnnouncement(a.id))}
              >
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      )}
      {latest && (
        <details className="pinned-bar" data-testid="pinned-bar">
          <summary>
            <span className="pinned-count">{pins.length === 1 ? 'Pinned' : `${pins.length} pinned`}</span>
            <span className="pinned-preview">{latest.content || 'Photo or file'}</span>
          </summary>
          <ul className="pinned-list" aria-label="Pinned messages">
            {pins.map((p) => (
              <li key={p.id} data-testid="pinned-message" data-message-id={p.id}>
                <button
                  type="button"
                  className="pinned-jump"
                  onClick={() => navigate(conversationPath(conversationId, p.id))}
                >
                  <strong>{p.senderId === me.id ? 'You' : names(p.senderId)}</strong> {p.content}
                </button>
                {isStaff(me.role) && (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    data-testid="unpin-message"
                    onClick={() => run(() => chatClient().pin(p.id, false))}
                  >
                    Unpin
                  </button>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  )
}

/**
 * The pinned messages: the server's list (pins may be older than what is loaded), asked again whenever a
 * loaded message is pinned or unpinned, with the loaded copies (newer, by rev) taking precedence.
 */
function usePins(conversationId: string, loaded: readonly LocalMessage[]): Message[] {
  const sent = useMemo(
    () => loaded.filter((m): m is LocalMessage & { state: 'sent' } => m.state === 'sent'),
    [loaded],
  )
  const pinKey = sent
    .filter((m) => m.pinnedAt)
    .map((m) => `${m.id}@${m.pinnedAt}`)
    .join(',')
  const [fetched, setFetched] = useState<Message[]>([])
  // pinKey is the reason to ask again: a loaded message was pinned or unpinned.
  useEffect(() => {
    let current = true
    chatClient()
      .loadPins(conversationId)
      .then(
        (list) => current && setFetched(list),
        () => undefined,
      )
    return () => {
      current = false
    }
  }, [conversationId, pinKey])
  return useMemo(() => {
    const byId = new Map<string, Message>(fetched.map((m) => [m.id, m]))
    for (const m of sent) {
      const known = byId.get(m.id)
      if (m.pinnedAt || (known && m.rev >= known.rev)) byId.set(m.id, m)
    }
    return [...byId.values()]
      .filter((m) => m.pinnedAt && !m.deletedAt)
      .sort((a, b) => (b.pinnedAt ?? '').localeCompare(a.pinnedAt ?? '') || b.seq - a.seq)
  }, [fetched, sent])
}
