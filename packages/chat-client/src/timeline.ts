import type { Message } from '@secura/shared'

/**
 * The loaded messages of one conversation and how far they are known to be current. `rev` is the cursor of
 * protocol §6: every change up to it is applied. It only moves over revs actually seen, in order: a change
 * that arrives early (a rev above the next one) is applied at once but parked in `ahead`, so a change lost
 * on the way is still fetched by the next sync from `rev`.
 */
export interface Timeline {
  readonly conversationId: string
  /** By seq; a new array on each change. The window is the newest messages, older ones come by paging. */
  messages: readonly Message[]
  readonly byId: Map<string, Message>
  /** clientMessageIds of my own messages here: the outbox entries they settle. */
  readonly ownClientIds: Set<string>
  /** null until the first page or cache gives a starting point. */
  rev: number | null
  readonly ahead: Set<number>
  /**
   * Every message from this seq on is loaded (or fetched by the next sync: its rev is above `rev`); older
   * ones come by paging. null until the first page: then nothing is left out.
   */
  floorSeq: number | null
  /** Per message, the rev of each part (see PartRevs); absent: both at the message's rev. */
  readonly partRevs: Map<string, PartRevs>
}

export function createTimeline(
  conversationId: string,
  senderId: string,
  messages: Message[] = [],
  rev: number | null = null,
  floorSeq: number | null = null,
) {
  const timeline: Timeline = {
    conversationId,
    messages: [],
    byId: new Map(),
    ownClientIds: new Set(),
    rev,
    ahead: new Set(),
    floorSeq,
    partRevs: new Map(),
  }
  replaceMessages(timeline, messages, senderId)
  return timeline
}

/** The newest seq held; for an empty loaded window, the one before its floor. */
export const newestSeq = (t: Timeline) => t.messages.at(-1)?.seq ?? (t.floorSeq ?? 1) - 1
export const oldestSeq = (t: Timeline) => t.messages[0]?.seq ?? 0
/** Seq has no holes and starts at 1: a window that starts above 1 has older history. */
export const hasOlder = (t: Timeline) => (t.floorSeq ?? oldestSeq(t)) > 1

export type UpsertResult = 'applied' | 'stale' | 'outside'

/**
 * Events change one part of a message (its text, or its reactions) and carry the rev of that change. Parts
 * are versioned apart so that a change arriving late (after a later change to the other part, when
 * broadcasts reorder or one was lost) still lands, and a full copy from the server replaces each part
 * that is not newer than it.
 */
export interface PartRevs {
  /** content, editedAt, deletedAt, deletedBy */
  text: number
  reactions: number
  /** pinnedAt, pinnedBy; absent: as the text. */
  pin?: number
}

/** A message's pin, both keys present (undefined when not pinned) so that a spread clears an unpin. */
export const pinOf = (m: Message): Pick<Message, 'pinnedAt' | 'pinnedBy'> => ({
  pinnedAt: m.pinnedAt,
  pinnedBy: m.pinnedBy,
})

const partRevs = (t: Timeline, m: Message): PartRevs =>
  t.partRevs.get(m.id) ?? { text: m.rev, reactions: m.rev }

/**
 * A full message from the server (a page, an ack, message:new). A message older than the loaded window
 * is left out unless `extendWindow` (a page of history): paging shows it with its current state.
 */
export function upsertMessage(t: Timeline, message: Message, senderId: string, extendWindow = false) {
  const existing = t.byId.get(message.id)
  if (!existing) {
    if (!extendWindow && t.floorSeq !== null && message.seq < t.floorSeq) return 'outside'
    if (message.senderId === senderId) t.ownClientIds.add(message.clientMessageId)
    t.partRevs.set(message.id, { text: message.rev, reactions: message.rev })
    const list = [...t.messages]
    list.splice(insertionIndex(list, message.seq), 0, message)
    return store(t, message, list)
  }
  const revs = partRevs(t, existing)
  const text = message.rev >= revs.text
  const reactions = message.rev >= revs.reactions
  const pinRev = revs.pin ?? revs.text
  const pin = message.rev >= pinRev
  const next: Message = {
    ...(text ? message : existing),
    reactions: reactions ? message.reactions : existing.reactions,
    ...pinOf(pin ? message : existing),
    rev: Math.max(existing.rev, message.rev),
  }
  t.partRevs.set(message.id, {
    text: text ? message.rev : revs.text,
    reactions: reactions ? message.rev : revs.reactions,
    pin: pin ? message.rev : pinRev,
  })
  return replace(t, existing, next)
}

/** A change to one part of a held message (message:edited / :deleted / :reaction), if newer than that part. */
export function patchMessage(
  t: Timeline,
  messageId: string,
  rev: number,
  patch: {
    text?: Partial<Message>
    reactions?: Message['reactions']
    pin?: Pick<Message, 'pinnedAt' | 'pinnedBy'>
  },
): boolean {
  const existing = t.byId.get(messageId)
  if (!existing) return false
  const revs = { ...partRevs(t, existing) }
  let next: Message = existing
  if (patch.text && rev > revs.text) {
    next = { ...next, ...patch.text }
    revs.text = rev
  }
  if (patch.reactions && rev > revs.reactions) {
    next = { ...next, reactions: patch.reactions }
    revs.reactions = rev
  }
  if (patch.pin && rev > (revs.pin ?? revs.text)) {
    next = { ...next, ...patch.pin }
    revs.pin = rev
  }
  if (next === existing) return false
  t.partRevs.set(messageId, revs)
  return replace(t, existing, { ...next, rev: Math.max(existing.rev, rev) }) === 'applied'
}

function replace(t: Timeline, existing: Message, next: Message): UpsertResult {
  if (sameMessage(existing, next)) return 'stale'
  return store(
    t,
    next,
    t.messages.map((m) => (m.id === next.id ? next : m)),
  )
}

function store(t: Timeline, message: Message, list: Message[]): UpsertResult {
  t.byId.set(message.id, message)
  t.messages = list
  return 'applied'
}

const sameMessage = (a: Message, b: Message) =>
  a.rev === b.rev &&
  a.content === b.content &&
  a.editedAt === b.editedAt &&
  a.deletedAt === b.deletedAt &&
  JSON.stringify(a.reactions) === JSON.stringify(b.reactions)

export function replaceMessages(t: Timeline, messages: Message[], senderId: string) {
  t.byId.clear()
  t.ownClientIds.clear()
  t.partRevs.clear()
  for (const m of messages) {
    t.byId.set(m.id, m)
    if (m.senderId === senderId) t.ownClientIds.add(m.clientMessageId)
  }
  t.messages = [...t.byId.values()].sort((a, b) => a.seq - b.seq)
}

/** Records that change `rev` is applied; true while a change below one applied is still missing. */
export function noteRev(t: Timeline, rev: number): boolean {
  if (t.rev !== null && rev <= t.rev) return t.ahead.size > 0
  t.ahead.add(rev)
  advance(t)
  return t.rev !== null && t.ahead.size > 0
}

/** Everything up to `rev` is known applied (a sync or a fresh page said so). */
export function revAtLeast(t: Timeline, rev: number) {
  if (t.rev === null || rev > t.rev) t.rev = rev
  advance(t)
}

function advance(t: Timeline) {
  if (t.rev === null) return
  for (const r of t.ahead) if (r <= t.rev) t.ahead.delete(r)
  while (t.ahead.delete(t.rev + 1)) t.rev += 1
}

function insertionIndex(list: readonly Message[], seq: number) {
  let low = 0
  let high = list.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (list[mid]!.seq < seq) low = mid + 1
    else high = mid
  }
  return low
}
