// Seeding a conversation with many messages straight into Postgres (generate_series), as a restore would write
// them: the history and search scenarios each need a large conversation before they read.
import pg from 'pg'
import { settleDatabase } from './targets.ts'

export interface SeedOptions {
  conversationId: string
  /** User ids the messages are from, in turn. */
  senders: string[]
  count: number
  /** The clientMessageIds are `<prefix><i>`. */
  clientPrefix: string
  /** SQL for message `i`'s text (i = 1..count); `$4` on are `params`. */
  content: string
  params?: unknown[]
  /** Runs the insert, inside the transaction, with work of its own around it (indexes built once after). */
  aroundInsert?: (c: pg.Client, insert: () => Promise<void>) => Promise<void>
}

/**
 * Writes `count` messages after what the conversation already holds (a group starts with its "created" line),
 * one a second up to now, with seq/rev and the conversation's counters consistent, in one transaction.
 * Returns the seconds it took, the database settled after it.
 */
export async function seedMessages(databaseUrl: string, o: SeedOptions): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl })
  await c.connect()
  try {
    const t0 = performance.now()
    await c.query('BEGIN')
    const insert = async () => {
      await c.query(
        `INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "createdAt")
         SELECT gen_random_uuid(), $1::uuid, cv."lastSeq" + i, cv."lastRev" + i, ($2::uuid[])[1 + i % array_length($2::uuid[], 1)],
                '${o.clientPrefix}' || i, ${o.content}, now() - make_interval(secs => $3::int - i)
         FROM generate_series(1, $3::int) AS i, (SELECT "lastSeq", "lastRev" FROM "Conversation" WHERE id = $1::uuid) cv`,
        [o.conversationId, o.senders, o.count, ...(o.params ?? [])],
      )
    }
    await (o.aroundInsert ? o.aroundInsert(c, insert) : insert())
    await c.query(
      `UPDATE "Conversation" SET "lastSeq" = "lastSeq" + $2, "lastRev" = "lastRev" + $2, "lastMessageAt" = now() WHERE id = $1::uuid`,
      [o.conversationId, o.count],
    )
    await c.query('COMMIT')
    await settleDatabase(databaseUrl)
    return (performance.now() - t0) / 1000
  } finally {
    await c.end()
  }
}
