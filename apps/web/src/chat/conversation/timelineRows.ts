import type { LocalMessage } from '@secura/chat-client'
import { dayKey, dayLabel } from '../time.ts'

/**
 * One row of the timeline: a message, and the separator of the next day when the next message opens one.
 * Only messages are rows, each keyed by the message, and a row's size never depends on what comes before
 * it: prepending older history changes nothing below, so the view stays exactly where the reader was.
 * (The first loaded message's day is shown above the timeline instead.)
 */
export interface TimelineRow {
  key: string
  message: LocalMessage
  /** The label of the day the next message opens, shown under this one. */
  nextDay: string | null
  /** Same sender as the message above, a few minutes apart: the name is not repeated. */
  continued: boolean
  /** Readers of my last sent message, shown under it; null on every other row. */
  seenBy: string[] | null
}

/** Messages of one sender closer than this are shown as one run. */
const RUN_GAP_MS = 5 * 60_000

/** (sender, clientMessageId) is unique and survives the step from the outbox to sent: a stable row key. */
export const messageKey = (m: LocalMessage): string => `${m.senderId}:${m.clientMessageId}`

/** Who has read up to this seq, except the sender. */
export function readersOf(
  seq: number,
  reads: Record<string, number> | undefined,
  senderId: string,
): string[] {
  if (!reads) return []
  return Object.entries(reads)
    .filter(([userId, readSeq]) => userId !== senderId && readSeq >= seq)
    .map(([userId]) => userId)
}

/** The rows of a conversation, oldest first. */
export function buildTimeline(
  messages: LocalMessage[],
  options: { meId: string; reads: Record<string, number> | undefined; now?: Date },
): TimelineRow[] {
  const { meId, reads, now = new Date() } = options
  let lastOwnSent = -1
  messages.forEach((m, i) => {
    if (m.senderId === meId && m.state === 'sent' && !m.system) lastOwnSent = i
  })

  return messages.map((message, index) => {
    const previous = messages[index - 1]
    const next = messages[index + 1]
    const newDay = !previous || dayKey(previous.timestamp) !== dayKey(message.timestamp)
    const opensDay = next !== undefined && dayKey(next.timestamp) !== dayKey(message.timestamp)
    const continued =
      !newDay &&
      !isSystem(previous) &&
      previous?.senderId === message.senderId &&
      Date.parse(message.timestamp) - Date.parse(previous.timestamp) < RUN_GAP_MS
    const seenBy =
      index === lastOwnSent && message.state === 'sent' ? readersOf(message.seq, reads, meId) : null
    return {
      key: messageKey(message),
      message,
      nextDay: opensDay ? dayLabel(next.timestamp, now) : null,
      continued,
      seenBy,
    }
  })
}

/** A line the server wrote: it stands alone, never the start of a run of someone's messages. */
const isSystem = (m: LocalMessage | undefined) => m?.state === 'sent' && m.system !== undefined
