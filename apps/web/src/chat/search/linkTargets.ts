/**
 * Where a message opened from search sits in its conversation (its seq), by message id: the timeline loads
 * history back to it at once instead of paging until it appears.
 */
const targets = new Map<string, number>()

export function rememberLinkTarget(messageId: string, seq: number): void {
  targets.set(messageId, seq)
}

export const linkTargetSeq = (messageId: string): number | undefined => targets.get(messageId)
