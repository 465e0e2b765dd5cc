import { useEffect, useRef } from 'react'
import { conversationPath, navigate, useRoute } from '../router.ts'
import { useAppStore } from '../store/index.ts'
import { isWideLayout } from './layout.ts'

const JUST_JOINED = 'secura:just-joined'

/** Set by the join form: the next chat screen is the guest's first. */
export function markJustJoined(): void {
  try {
    sessionStorage.setItem(JUST_JOINED, '1')
  } catch {
    // Storage refused (private mode): the guest lands as on any later visit.
  }
}

function takeJustJoined(): boolean {
  try {
    const was = sessionStorage.getItem(JUST_JOINED) === '1'
    sessionStorage.removeItem(JUST_JOINED)
    return was
  } catch {
    return false
  }
}

/**
 * The open conversation and the address bar say the same thing: `/c/:id` opens it (a link, a reload, the
 * back button), and opening one pushes its address, so Back returns to the one before (or, on a phone, to
 * the list). With no conversation in the address, a wide screen opens the lobby, and so does a phone for a
 * guest who has just joined (returns whether that is the case, for the welcome line).
 */
export function useConversationUrl(): { firstArrival: boolean } {
  const route = useRoute()
  const linked = route.name === 'home' ? route.conversationId : undefined
  const activeId = useAppStore((s) => s.activeConversationId)
  const openConversation = useAppStore((s) => s.openConversation)
  const lobbyId = useAppStore((s) => s.chat.conversations.find((c) => c.kind === 'event')?.id)
  const firstArrival = useRef<boolean | null>(null)
  if (firstArrival.current === null) firstArrival.current = takeJustJoined()

  // Starting the chat client clears the open conversation: both directions wait until it runs.
  const attached = useAppStore((s) => s.chatStorage !== null)

  // Address → screen: on load, on a link, on Back and Forward.
  useEffect(() => {
    if (attached) openConversation(linked ?? null)
  }, [linked, attached, openConversation])

  // Screen → address: a conversation opened from the list, a toast or a dialog.
  useEffect(() => {
    // The store's value now, not this render's: the effect above may just have opened the linked one.
    const { activeConversationId: open, chatStorage } = useAppStore.getState()
    if (!chatStorage) return
    const current = useRoute.peek()
    if (open === (current.name === 'home' ? (current.conversationId ?? null) : null)) return
    navigate(open ? conversationPath(open) : '/')
  }, [activeId])

  // Nothing linked: the lobby, where there is room for it or for a guest who just arrived.
  const landed = useRef(false)
  useEffect(() => {
    if (landed.current || !lobbyId) return
    landed.current = true
    if (linked || useAppStore.getState().activeConversationId) return
    if (isWideLayout() || firstArrival.current) navigate(conversationPath(lobbyId), { replace: true })
  }, [lobbyId, linked])

  return { firstArrival: firstArrival.current }
}
