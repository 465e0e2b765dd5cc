import type { LocalMessage } from '@secura/chat-client'
import type { ConversationSummary, SystemLine } from '@secura/shared'

export type Preview = Pick<LocalMessage, 'senderId' | 'content' | 'state' | 'timestamp'> & {
  deleted: boolean
  /** A system line's structured form: the list words it. */
  system?: SystemLine
}

const isTombstone = (m: LocalMessage) => m.state === 'sent' && m.deletedAt !== null

/**
 * The newest message of a conversation still there, for its preview: a loaded (or queued) one if newer than
 * the server's summary, or if the summary's is a deletion (the server's own list skips those on reload).
 */
export function latestMessage(
  conversation: ConversationSummary,
  loaded: LocalMessage[] | undefined,
): Preview | null {
  const local = loaded?.findLast((m) => !isTombstone(m)) ?? loaded?.at(-1)
  const summary = conversation.lastMessage
  const pick =
    local &&
    (!summary ||
      local.state !== 'sent' ||
      local.seq >= summary.seq ||
      (summary.deletedAt !== null && !isTombstone(local)))
      ? local
      : summary && { ...summary, state: 'sent' as const }
  if (!pick) return null
  const deleted = pick.state === 'sent' && pick.deletedAt !== null
  return {
    senderId: pick.senderId,
    content: pick.content,
    state: pick.state,
    timestamp: pick.timestamp,
    deleted,
    ...(pick.state === 'sent' && pick.system && { system: pick.system }),
  }
}

/** When the conversation last moved: its newest message, else its creation. */
export function lastActivity(conversation: ConversationSummary, loaded: LocalMessage[] | undefined): string {
  const times = [
    conversation.createdAt,
    conversation.lastMessageAt,
    latestMessage(conversation, loaded)?.timestamp,
  ]
  return times.reduce<string>(
    (newest, t) => (t && Date.parse(t) > Date.parse(newest) ? t : newest),
    times[0] ?? '',
  )
}

/** Newest activity first; ties keep the server's order. */
export function sortByActivity(
  conversations: ConversationSummary[],
  messages: Record<string, LocalMessage[]>,
): ConversationSummary[] {
  return conversations
    .map((conversation, index) => ({
      conversation,
      index,
      at: Date.parse(lastActivity(conversation, messages[conversation.id])),
    }))
    .sort((a, b) => b.at - a.at || a.index - b.index)
    .map((entry) => entry.conversation)
}
