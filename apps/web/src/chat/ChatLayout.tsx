import type { Event, User } from '@secura/shared'
import { useState } from 'react'
import { useAppStore } from '../store/index.ts'
import './chat.css'
import { AnnouncementBanner } from './AnnouncementBanner.tsx'
import { ChatNotice } from './ChatNotice.tsx'
import { ConnectionBanner } from './ConnectionBanner.tsx'
import { ConversationView } from './conversation/ConversationView.tsx'
import { ConversationList } from './list/ConversationList.tsx'
import { SidebarHeader } from './list/SidebarHeader.tsx'
import { ArrivalAlerts } from './notify/ArrivalAlerts.tsx'
import { ChatDialogs } from './people/ChatDialogs.tsx'
import { MessageSearchBox } from './search/MessageSearchBox.tsx'
import { SearchResults } from './search/SearchResults.tsx'
import { useConversationUrl } from './useConversationUrl.ts'

/** The list of conversations and the open one: both on a wide screen, one at a time on a phone. */
export function ChatLayout({ user, event }: { user: User; event: Event }) {
  const activeId = useAppStore((s) => s.activeConversationId)
  const { firstArrival } = useConversationUrl()
  const [welcome, setWelcome] = useState(firstArrival)
  const lobbyId = useAppStore((s) => s.chat.conversations.find((c) => c.kind === 'event')?.id)
  const searching = useAppStore((s) => s.messageSearch.query.trim() !== '')

  return (
    <div className={activeId ? 'chat chat-open' : 'chat'}>
      <ConnectionBanner />
      <ChatNotice />
      <AnnouncementBanner lobbyId={lobbyId} />
      <div className="chat-panes">
        <aside className="chat-sidebar" aria-label="Your conversations">
          <SidebarHeader user={user} event={event} />
          <MessageSearchBox />
          {searching ? <SearchResults /> : <ConversationList />}
        </aside>
        <div className="chat-main">
          {welcome && activeId !== null && activeId === lobbyId && (
            <p className="welcome-line" data-testid="welcome-line">
              <span>
                Welcome, {user.displayName}! For a private chat, use <strong>New message</strong>.
              </span>
              <button
                type="button"
                className="welcome-close"
                aria-label="Dismiss"
                onClick={() => setWelcome(false)}
              >
                ×
              </button>
            </p>
          )}
          {activeId ? (
            <ConversationView key={activeId} conversationId={activeId} />
          ) : (
            <p className="chat-placeholder muted">Choose a conversation, or start one.</p>
          )}
        </div>
      </div>
      <ChatDialogs />
      <ArrivalAlerts meId={user.id} />
    </div>
  )
}
