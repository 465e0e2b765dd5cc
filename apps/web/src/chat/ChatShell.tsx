import type { Event, User } from '@secura/shared'
import { ChatLayout } from './ChatLayout.tsx'
import { useChatStorage } from './useChatStorage.ts'

interface ChatShellProps {
  user: User
  event: Event
}

/** The signed-in guest's chat: starts the storage, then shows the conversations. */
export function ChatShell({ user, event }: ChatShellProps) {
  useChatStorage(user)
  return <ChatLayout user={user} event={event} />
}
