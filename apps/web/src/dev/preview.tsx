/** DEV ONLY: renders the chat on the in-memory storage, signed in as a made-up guest. Open /src/dev/preview.html. */
import '../styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { ChatLayout } from '../chat/ChatLayout.tsx'
import { useAppStore } from '../store/index.ts'
import { createMemoryStorage } from './memoryStorage.ts'

const now = new Date().toISOString()
const params = new URLSearchParams(window.location.search)
const user = {
  id: '00000000-0000-4000-8000-0000000000aa',
  eventId: '00000000-0000-4000-8000-0000000000ee',
  displayName: 'Me Myself',
  role: (params.get('role') ?? 'guest') as 'guest' | 'moderator' | 'organizer',
  createdAt: now,
  lastSeenAt: now,
}
const event = { id: user.eventId, name: 'Design Week 2026', startsAt: null, endsAt: null, createdAt: now }
useAppStore.getState().setSignedIn(user, event)
void useAppStore.getState().attachChatStorage(createMemoryStorage(user))

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <div className="app app-chat">
        <main id="main" className="main">
          <ChatLayout user={user} event={event} />
        </main>
      </div>
    </StrictMode>,
  )
}
