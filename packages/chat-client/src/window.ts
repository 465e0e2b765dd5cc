import type { Message, MessagePage } from '@secura/shared'
import type { ChatModel } from './model.ts'
import {
  createTimeline,
  hasOlder,
  newestSeq,
  oldestSeq,
  patchMessage,
  type Timeline,
  upsertMessage,
} from './timeline.ts'

/**
 * History opened at a message far behind the loaded tail (a search hit, a link): a run of consecutive seqs
 * of its own, shown instead of the tail. The tail's invariant — every seq from `floorSeq` on is held — would
 * not hold for a run with a hole below the tail, so the run lives apart until it reaches the tail, where it
 * joins it (see ChatModel.joinWindow), or is left.
 */
export interface HistoryWindowState {
  /** Its messages; `floorSeq` is its first seq (1 when nothing is older), `rev` unused. */
  readonly timeline: Timeline
  /** Messages after its last one exist (as the last page said). */
  hasNewer: boolean
  /** The message it was opened at (its seq). */
  readonly targetSeq: number
}

/** A window from the first page around its target; none for an empty page. */
export function createWindow(
  conversationId: string,
  meId: string,
  page: MessagePage,
  targetSeq: number,
): HistoryWindowState | undefined {
  const first = page.messages[0]
  if (!first) return undefined
  const timeline = createTimeline(conversationId, meId, page.messages, null, page.hasMore ? first.seq : 1)
  return { timeline, hasNewer: page.hasNewer ?? false, targetSeq }
}

/**
 * A page before (`older`) or after the window. Only a page that continues the run is taken: one that
 * left a hole (the window moved meanwhile) is dropped. True when it was taken.
 */
export function extendWindow(
  w: HistoryWindowState,
  page: MessagePage,
  side: 'older' | 'newer',
  meId: string,
): boolean {
  const t = w.timeline
  const messages = page.messages
  if (side === 'older') {
    const last = messages.at(-1)
    if (last && last.seq < oldestSeq(t) - 1) return false
    for (const m of messages) upsertMessage(t, m, meId, true)
    const first = messages[0]
    t.floorSeq = page.hasMore && first ? Math.min(t.floorSeq ?? first.seq, first.seq) : 1
    return true
  }
  const first = messages[0]
  if (first && first.seq > newestSeq(t) + 1) return false
  for (const m of messages) upsertMessage(t, m, meId, true)
  w.hasNewer = page.hasNewer ?? page.hasMore
  return true
}

/** The window holds these seqs without a hole up to `floorSeq - 1` of the tail: it can join it. */
export function reachesTail(w: HistoryWindowState, tail: Timeline | undefined): boolean {
  if (!tail || tail.rev === null || tail.floorSeq === null) return false
  return newestSeq(w.timeline) >= tail.floorSeq - 1
}

/** A full copy from the server of a message the window holds (a sync page, an event). */
export function upsertInWindow(w: HistoryWindowState, message: Message, meId: string): boolean {
  if (!w.timeline.byId.has(message.id)) return false
  return upsertMessage(w.timeline, message, meId) === 'applied'
}

/** A change to one part of a message the window holds; false when it holds none or it is not newer. */
export function patchInWindow(
  w: HistoryWindowState,
  messageId: string,
  rev: number,
  patch: Parameters<typeof patchMessage>[3],
): boolean {
  return patchMessage(w.timeline, messageId, rev, patch)
}

/**
 * Opens a window on the first page around its target, in place of any other window of the conversation;
 * joins it to the tail at once when it reaches it (a target just above the loaded messages).
 */
export function openWindow(model: ChatModel, conversationId: string, page: MessagePage, targetSeq: number) {
  const w = createWindow(conversationId, model.meId, page, targetSeq)
  if (w) model.state.windows.set(conversationId, w)
  else model.state.windows.delete(conversationId)
  model.state.changedMessages(conversationId)
  joinIfReached(model, conversationId)
}

/** A page that extends the window `w` (if it is still the one shown). */
export function applyWindowPage(
  model: ChatModel,
  w: HistoryWindowState,
  page: MessagePage,
  side: 'older' | 'newer',
) {
  const conversationId = w.timeline.conversationId
  if (model.state.windows.get(conversationId) !== w) return
  if (!extendWindow(w, page, side, model.meId)) return
  model.state.changedMessages(conversationId)
  joinIfReached(model, conversationId)
}

/** Back to the live tail: the window is dropped. */
export function closeWindow(model: ChatModel, conversationId: string) {
  if (model.state.windows.delete(conversationId)) model.state.changedMessages(conversationId)
}

/**
 * A window that reaches the tail joins it as an older page would: the tail then starts at the window's
 * first seq, held without a hole, and what the window showed is the tail's, followed live and cached.
 */
function joinIfReached(model: ChatModel, conversationId: string) {
  const w = model.state.windows.get(conversationId)
  if (!w || !reachesTail(w, model.state.timelines.get(conversationId))) return
  model.state.windows.delete(conversationId)
  model.applyOlderPage(conversationId, { messages: [...w.timeline.messages], hasMore: hasOlder(w.timeline) })
}
