import type { PrismaClient } from '../../db/prisma.ts'
import { M_COLUMNS } from './store.ts'
import type { MessageRow } from './wire.ts'

/** What a revision changes besides the rev: SQL assignments to `m` over $3…, and their values. */
export interface Revision {
  set?: string
  params?: unknown[]
  /** Also a message deleted meanwhile (a reaction's change still takes a rev). */
  evenDeleted?: boolean
  /** Only if this SQL condition holds (over CTEs written before these): no rev is taken otherwise. */
  when?: string
}

/**
 * The rev bump, written once, as two CTEs over $1 (the conversation) and $2 (the message): `c` takes the
 * conversation's next rev, `u` gives it to the message with the revision applied and returns the row. One
 * statement, so the message takes the new rev atomically.
 */
export function revBump({ set, evenDeleted = false, when }: Omit<Revision, 'params'> = {}): string {
  return `c AS (
       UPDATE "Conversation" SET "lastRev" = "lastRev" + 1
       WHERE id = $1::uuid${when ? ` AND ${when}` : ''}
       RETURNING "lastRev"
     ), u AS (
       UPDATE "Message" m SET rev = c."lastRev"${set ? `, ${set}` : ''}
       FROM c WHERE m.id = $2::uuid${evenDeleted ? '' : ` AND m."deletedAt" IS NULL`}
       RETURNING ${M_COLUMNS}
     )`
}

/**
 * Applies a revision to one message under a new rev. Returns the updated row, or null if the message was
 * not there (or deleted).
 */
export async function revise(
  db: Pick<PrismaClient, '$queryRawUnsafe'>,
  conversationId: string,
  messageId: string,
  { params = [], ...revision }: Revision = {},
): Promise<MessageRow | null> {
  const rows = await db.$queryRawUnsafe<MessageRow[]>(
    `WITH ${revBump(revision)} SELECT * FROM u`,
    conversationId,
    messageId,
    ...params,
  )
  return rows[0] ?? null
}
