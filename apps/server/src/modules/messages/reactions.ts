import type { PrismaClient } from '../../db/prisma.ts'
import { revBump } from './revise.ts'
import type { MessageRow } from './wire.ts'

export type ReactionAction = 'add' | 'remove'
export interface ReactionChange {
  /** What happened: null when the reaction was already as asked (nothing written, no rev taken). */
  effective: ReactionAction | null
  /** The message with its new rev, when something changed. */
  row: MessageRow | null
}

/**
 * Adds, removes or (no action) toggles one reaction in one statement: the delete and the insert are each
 * idempotent (a concurrent twin finds nothing to delete, or the row already there), and the conversation's
 * rev moves only when one of them wrote. So any number of concurrent adds, removes and toggles of the same
 * reaction each end in an answer, never in "no record was found" or a unique violation.
 */
export async function applyReaction(
  prisma: PrismaClient,
  change: {
    conversationId: string
    messageId: string
    userId: string
    emoji: string
    action?: ReactionAction
  },
): Promise<ReactionChange> {
  const rows = await prisma.$queryRawUnsafe<(MessageRow & { removed: number; added: number })[]>(
    `WITH del AS (
       DELETE FROM "Reaction"
       WHERE $5::text <> 'add' AND "messageId" = $2::uuid AND "userId" = $3::uuid AND emoji = $4
       RETURNING 1
     ), ins AS (
       INSERT INTO "Reaction" ("messageId", "userId", emoji)
       SELECT $2::uuid, $3::uuid, $4
       WHERE $5::text <> 'remove' AND NOT EXISTS (SELECT 1 FROM del)
         AND EXISTS (SELECT 1 FROM "Message" WHERE id = $2::uuid AND "deletedAt" IS NULL)
       ON CONFLICT DO NOTHING
       RETURNING 1
     ), ${revBump({ evenDeleted: true, when: '(EXISTS (SELECT 1 FROM del) OR EXISTS (SELECT 1 FROM ins))' })}
     SELECT (SELECT count(*) FROM del)::int AS removed, (SELECT count(*) FROM ins)::int AS added, u.*
     FROM (SELECT 1) one LEFT JOIN u ON true`,
    change.conversationId,
    change.messageId,
    change.userId,
    change.emoji,
    change.action ?? 'toggle',
  )
  const result = rows[0]
  if (!result || (result.removed === 0 && result.added === 0)) return { effective: null, row: null }
  const { removed, added, ...row } = result
  return { effective: removed > 0 ? 'remove' : 'add', row: row.id ? row : null }
}
