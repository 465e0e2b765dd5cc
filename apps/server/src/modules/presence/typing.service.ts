import { Room, TYPING_EXPIRY_MS } from '@secura/shared'
import type { Publisher } from '../ports.ts'

/**
 * Typing indicators with a server-side expiry: an indicator is cleared after TYPING_EXPIRY_MS without a
 * refresh, when the user sends, and when their socket goes — no indicator can stick.
 */
export function createTypingService(publisher: Publisher, expiryMs = TYPING_EXPIRY_MS) {
  const timers = new Map<string, NodeJS.Timeout>()
  /** The socket that last refreshed each indicator: when it goes, so does the indicator (other tabs may stay). */
  const typedFrom = new Map<string, string>()
  const key = (conversationId: string, userId: string) => `${conversationId}:${userId}`

  function announce(conversationId: string, userId: string, isTyping: boolean) {
    // The typist's own sockets are left out: nobody needs to see themselves typing.
    publisher.emit(
      Room.conversation(conversationId),
      'message:typing',
      { conversationId, userId, isTyping, timestamp: new Date().toISOString() },
      Room.user(userId),
    )
  }

  function clear(conversationId: string, userId: string) {
    const k = key(conversationId, userId)
    const timer = timers.get(k)
    if (!timer) return
    clearTimeout(timer)
    timers.delete(k)
    typedFrom.delete(k)
    announce(conversationId, userId, false)
  }

  return {
    start(conversationId: string, userId: string, socketId?: string) {
      const k = key(conversationId, userId)
      const existing = timers.get(k)
      if (existing) clearTimeout(existing)
      else announce(conversationId, userId, true)
      timers.set(k, setTimeout(() => clear(conversationId, userId), expiryMs).unref())
      if (socketId) typedFrom.set(k, socketId)
    },
    clear,
    /** Clears the indicators typed from a socket that went away. */
    clearSocket(socketId: string) {
      for (const [k, from] of [...typedFrom]) {
        if (from === socketId) clear(k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1))
      }
    },
    /** Clears every indicator of the user (their last socket went away). */
    clearUser(userId: string) {
      for (const k of [...timers.keys()]) {
        if (k.endsWith(`:${userId}`)) clear(k.slice(0, k.indexOf(':')), userId)
      }
    },
    close() {
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
      typedFrom.clear()
    },
  }
}

export type TypingService = ReturnType<typeof createTypingService>
