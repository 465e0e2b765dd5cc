import type { ConversationSummary } from '@secura/shared'

/** What a conversation looked like at the last snapshot: enough to tell what has just arrived. */
export interface Seen {
  lastSeq: number
  unreadCount: number
  mentionCount: number
}

export interface Arrival {
  conversationId: string
  kind: 'direct' | 'mention'
  senderId: string
  text: string
}

export function seenOf(conversations: ConversationSummary[]): Map<string, Seen> {
  return new Map(
    conversations.map((c) => [
      c.id,
      { lastSeq: c.lastSeq, unreadCount: c.unreadCount, mentionCount: c.mentionCount },
    ]),
  )
}

/**
 * The messages worth a toast since the last snapshot: a new unread message in a direct conversation, or
 * one that mentions me, anywhere but the conversation on screen. The lobby's chatter is not. Conversations
 * not seen before (the first load, a new one) raise nothing but a direct message.
 */
export function arrivals(
  before: Map<string, Seen>,
  conversations: ConversationSummary[],
  onScreen: string | null,
): Arrival[] {
  const found: Arrival[] = []
  for (const c of conversations) {
    const was = before.get(c.id)
    if (c.id === onScreen || !c.lastMessage || c.unreadCount === 0) continue
    if (was && (c.lastSeq <= was.lastSeq || c.unreadCount <= was.unreadCount)) continue
    const mentioned = c.mentionCount > (was?.mentionCount ?? 0)
    if (!mentioned && c.kind !== 'direct') continue
    if (!was && c.kind !== 'direct') continue
    found.push({
      conversationId: c.id,
      kind: mentioned ? 'mention' : 'direct',
      senderId: c.lastMessage.senderId,
      text: c.lastMessage.content,
    })
  }
  return found
}

export const totalUnread = (conversations: ConversationSummary[]) =>
  conversations.reduce((sum, c) => sum + c.unreadCount, 0)
