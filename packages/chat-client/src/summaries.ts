import type { Conversation, ConversationSummary, Message, MessageReceivedEvent } from '@secura/shared'
import type { Timeline } from './timeline.ts'

/**
 * The conversation list (protocol §4 GET /conversations) kept current between fetches. Unread counts come
 * from the server's summaries; live events and markRead move them locally until the next fetch corrects
 * any drift (a missed event, a message deleted while unread).
 */

/** Whether a message (or its received badge) mentions me: by id, or `@here`. */
export function mentionsMe(
  m: { senderId: string; mentions?: string[] | undefined; mentionsHere?: boolean | undefined },
  meId: string,
): boolean {
  return m.senderId !== meId && (m.mentionsHere === true || (m.mentions?.includes(meId) ?? false))
}

const activity = (c: ConversationSummary) => c.lastMessageAt ?? c.createdAt

/** Newest activity first, as the server lists them. */
export const byActivity = (a: ConversationSummary, b: ConversationSummary) =>
  activity(b).localeCompare(activity(a)) || a.id.localeCompare(b.id)

/** A conversation from conversation:created / :updated or a create call, keeping my read state. */
export function withConversation(
  current: ConversationSummary | undefined,
  conversation: Conversation,
  meId: string,
): ConversationSummary {
  const mine = conversation.members.find((m) => m.userId === meId)
  const lastReadSeq = Math.max(current?.lastReadSeq ?? 0, mine?.lastReadSeq ?? 0)
  return {
    ...conversation,
    lastSeq: Math.max(conversation.lastSeq, current?.lastSeq ?? 0),
    lastRev: Math.max(conversation.lastRev, current?.lastRev ?? 0),
    lastMessage: current?.lastMessage ?? null,
    unreadCount: current?.unreadCount ?? 0,
    mentionCount: current?.mentionCount ?? 0,
    lastReadSeq,
  }
}

/** The server's summary (GET /conversations), keeping what arrived here since it was read. */
export function withFresh(
  local: ConversationSummary | undefined,
  fresh: ConversationSummary,
  timeline: Timeline | undefined,
  meId: string,
): ConversationSummary {
  const localLast = local?.lastMessage
  const newer = localLast && (!fresh.lastMessage || localLast.seq > fresh.lastMessage.seq)
  const merged = {
    ...fresh,
    lastSeq: Math.max(fresh.lastSeq, local?.lastSeq ?? 0),
    lastRev: Math.max(fresh.lastRev, local?.lastRev ?? 0),
    lastMessage: newer ? localLast : fresh.lastMessage,
  }
  // A read mark of ours the server has not got yet (it is sent when the connection is back).
  const read = local?.lastReadSeq ?? 0
  return read > fresh.lastReadSeq ? withRead(merged, read, timeline, meId) : merged
}

/** A message arrived or changed: its preview, the head counters and, for a new one, the unread count. */
export function withMessage(summary: ConversationSummary, message: Message, meId: string) {
  const last = summary.lastMessage
  const isNew = message.seq > summary.lastSeq
  const unread = isNew && message.senderId !== meId && !message.deletedAt && message.seq > summary.lastReadSeq
  const isLast =
    isNew || (last !== null && last.seq === message.seq && (last.id !== message.id || last.rev < message.rev))
  return {
    ...summary,
    lastSeq: Math.max(summary.lastSeq, message.seq),
    lastRev: Math.max(summary.lastRev, message.rev),
    lastMessageAt: isNew ? message.timestamp : summary.lastMessageAt,
    lastMessage: isLast ? message : last,
    unreadCount: summary.unreadCount + (unread ? 1 : 0),
    mentionCount: summary.mentionCount + (unread && mentionsMe(message, meId) ? 1 : 0),
  }
}

/** conversation:message-received: a badge for a conversation whose messages are not loaded live. */
export function withReceived(summary: ConversationSummary, event: MessageReceivedEvent, meId: string) {
  if (event.seq <= summary.lastSeq) return summary
  const now = new Date().toISOString()
  const preview: Message = {
    id: event.messageId,
    conversationId: event.conversationId,
    seq: event.seq,
    rev: summary.lastRev,
    senderId: event.senderId,
    clientMessageId: '',
    content: event.preview,
    replyToId: null,
    timestamp: now,
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    reactions: [],
  }
  const unread = event.senderId !== meId && event.seq > summary.lastReadSeq
  return {
    ...summary,
    lastSeq: event.seq,
    lastMessageAt: now,
    lastMessage: preview,
    unreadCount: summary.unreadCount + (unread ? 1 : 0),
    mentionCount: summary.mentionCount + (unread && mentionsMe(event, meId) ? 1 : 0),
  }
}

/**
 * My read mark moved: the unread count drops by the unread messages now read, counted exactly where the
 * loaded messages cover the range, and to 0 once everything is read.
 */
export function withRead(
  summary: ConversationSummary,
  seq: number,
  timeline: Timeline | undefined,
  meId: string,
) {
  if (seq <= summary.lastReadSeq) return summary
  let unreadCount = 0
  let mentionCount = 0
  if (seq < summary.lastSeq) {
    const covered =
      timeline && timeline.messages.length > 0 && timeline.messages[0]!.seq <= summary.lastReadSeq + 1
    const read = covered
      ? timeline.messages.filter(
          (m) => m.seq > summary.lastReadSeq && m.seq <= seq && m.senderId !== meId && !m.deletedAt,
        )
      : undefined
    unreadCount = Math.max(0, summary.unreadCount - (read ? read.length : seq - summary.lastReadSeq))
    // Not covered: the mentions read are unknown, so the count stays until the server's next word on it.
    const mentionsRead = read ? read.filter((m) => mentionsMe(m, meId)).length : 0
    mentionCount = Math.max(0, summary.mentionCount - mentionsRead)
  }
  return { ...summary, lastReadSeq: seq, unreadCount, mentionCount }
}

/** A message was deleted: if it was counted unread, it no longer is (the server counts live messages). */
export function withDeletedUnread(summary: ConversationSummary, message: Message, meId: string) {
  if (message.senderId === meId || message.seq <= summary.lastReadSeq || summary.unreadCount === 0)
    return summary
  return {
    ...summary,
    unreadCount: summary.unreadCount - 1,
    mentionCount: Math.max(0, summary.mentionCount - (mentionsMe(message, meId) ? 1 : 0)),
  }
}
