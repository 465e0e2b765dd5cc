import type { Event, User } from '@secura/shared'
import { useEffect, useRef } from 'react'
import { useAppStore } from '../store/index.ts'
import './chat.css'
import { ChatNotice } from './ChatNotice.tsx'
import { ConnectionBanner } from './ConnectionBanner.tsx'
import { ConversationView } from './conversation/ConversationView.tsx'
import { isWideLayout } from './layout.ts'
import { ConversationList } from './list/ConversationList.tsx'
import { SidebarHeader } from './list/SidebarHeader.tsx'
import { ArrivalAlerts } from './notify/ArrivalAlerts.tsx'
import { ChatDialogs } from './people/ChatDialogs.tsx'

/** The list of conversations and the open one: both on a wide screen, one at a time on a phone. */
export function ChatLayout({ user, event }: { user: User; event: Event }) {
  const activeId = useAppStore((s) => s.activeConversationId)
  useLobbyOnWideScreens()

  return (
    <div className={activeId ? 'chat chat-open' : 'chat'}>
      <ConnectionBanner />
      <ChatNotice />
      <div className="chat-panes">
        <aside className="chat-sidebar" aria-label="Your conversations">
          <SidebarHeader user={user} event={event} />
          <ConversationList />
        </aside>
        <div className="chat-main">
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

/** A wide screen has room for a conversation from the start: open the lobby once it is known. */
function useLobbyOnWideScreens(): void {
  const lobbyId = useAppStore((s) => s.chat.conversations.find((c) => c.kind === 'event')?.id)
  const openConversation = useAppStore((s) => s.openConversation)
  const done = useRef(false)
  useEffect(() => {
    if (done.current || !lobbyId) return
    done.current = true
    if (useAppStore.getState().activeConversationId) return
    if (isWideLayout()) openConversation(lobbyId)
  }, [lobbyId, openConversation])
}
