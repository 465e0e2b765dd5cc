// The message hot paths as single SQL statements: one round trip per send (membership, seq/rev, insert and
// the recipients in one statement) and per history page (membership folded into the read). On Postgres they
// go straight through pg; on the embedded PGlite through Prisma (see postgresRunnerOf).
import { type PrismaClient, rawQuery, rawTransaction } from '../../db/prisma.ts'
import type { Viewer } from '../access.ts'
import { SILENCED_WHERE } from '../moderation/mute.ts'
import type { MessageRow } from './wire.ts'

export const MESSAGE_COLUMNS = `id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "replyToId", "createdAt", "editedAt", "deletedAt", "deletedBy", attachments, mentions, "mentionsHere", system, announcement, "pinnedAt", "pinnedBy"`
/** The message columns of the row `m`, as the statements that join it select them. */
export const M_COLUMNS = MESSAGE_COLUMNS.split(', ')
  .map((c) => `m.${c}`)
  .join(', ')

/** A message to store: its id is made by the caller, seq and rev by the statement. */
export interface NewMessage {
  id: string
  conversationId: string
  clientMessageId: string
  content: string
  replyToId: string | null
  /** Checked by checkMentions before the write; none when left out. */
  mentions?: string[]
  mentionsHere?: boolean
  /** A lobby announcement, checked by the caller; never batched (insertMany does not write it). */
  announcement?: boolean
}

/**
 * A stored message with what the broadcast needs: the conversation's kind and, for groups and directs, who
 * else is in it — as JSON, which the driver parses natively: pg parses a text[] character by character,
 * which for a hundred ids on every send of a large group was a visible share of the server's CPU.
 */
export interface SentRow extends MessageRow {
  kind: 'event' | 'direct' | 'group'
  recipients: string[] | null
}

/** A message row with its reactions as [emoji, userId] pairs, oldest first (null when none). */
export type RowWithReactions = MessageRow & { reactionPairs: [string, string][] | null }
/** The reactions of the row `m` as a column, `reactionPairs`. */
export const REACTIONS = `(SELECT json_agg(json_build_array(r.emoji, r."userId") ORDER BY r."createdAt", r."userId")
  FROM "Reaction" r WHERE r."messageId" = m.id) AS "reactionPairs"`

// The viewer may see the conversation: a member, and it is in their event (protocol §7).
const VISIBLE = `EXISTS (SELECT 1 FROM "Member" mb JOIN "Conversation" cv ON cv.id = mb."conversationId"
  WHERE mb."conversationId" = $1::uuid AND mb."userId" = $2::uuid AND cv."eventId" = $3::uuid)`

/**
 * The user is a guest and their event's lobby is announcement-only: checked inside the send statements, so
 * the hot path takes no extra round trip and a role or setting changed a moment ago holds.
 */
const ANNOUNCEMENT_ONLY_GUEST = (eventId: string, userId: string) =>
  `EXISTS (SELECT 1 FROM "Event" e JOIN "User" u ON u."eventId" = e.id
     WHERE e.id = ${eventId} AND e."announcementOnly" AND u.id = ${userId} AND u.role = 'guest')`

/**
 * The user may not write: muted, or their event has ended (the write guard of moderation/mute.ts, which
 * says why when a send wrote nothing).
 */
const SILENCED = (userId: string) =>
  `EXISTS (SELECT 1 FROM "User" u JOIN "Event" e ON e.id = u."eventId" WHERE u.id = ${userId} AND ${SILENCED_WHERE})`

/**
 * One send as one statement: takes the next seq and rev and writes the row, only if the sender is a member
 * of the conversation (in their event), may write (not muted, the event not ended), and a reply target, if
 * any, is in the same conversation (the write guard folded in: a separate query was a second round trip for
 * every send). No row back: nothing was written (also: a guest writing in an announcement-only lobby). A
 * replay fails the insert with a unique violation, which rolls the counters
 * back with it: seq has no gaps. $10 is the attachments' wire form (null for none): a send with
 * attachments runs the same statement inside its own transaction (send-attachments.ts).
 */
export const INSERT_ONE = `WITH c AS (
           UPDATE "Conversation" SET "lastSeq" = "lastSeq" + 1, "lastRev" = "lastRev" + 1, "lastMessageAt" = now()
           WHERE id = $1::uuid AND "eventId" = $3::uuid
             AND EXISTS (SELECT 1 FROM "Member" WHERE "conversationId" = $1::uuid AND "userId" = $2::uuid)
             AND NOT ${SILENCED('$2::uuid')}
             AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM "Message" WHERE id = $7::uuid AND "conversationId" = $1::uuid))
             AND (kind <> 'event' OR NOT ${ANNOUNCEMENT_ONLY_GUEST('$3::uuid', '$2::uuid')})
           RETURNING "lastSeq", "lastRev", "lastMessageAt", kind
         ), m AS (
           INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "replyToId", "createdAt", mentions, "mentionsHere", attachments, announcement)
           SELECT $4::uuid, $1::uuid, c."lastSeq", c."lastRev", $2::uuid, $5, $6, $7::uuid, c."lastMessageAt", $8::uuid[], $9::boolean, $10::jsonb, $11::boolean FROM c
           RETURNING ${MESSAGE_COLUMNS}
         )
         SELECT ${M_COLUMNS}, c.kind::text AS kind,
           CASE WHEN c.kind = 'event' THEN NULL
                ELSE (SELECT json_agg("userId") FROM "Member" WHERE "conversationId" = $1::uuid AND "userId" <> $2::uuid)
           END AS recipients
         FROM m, c`

/** The parameters of INSERT_ONE. */
export function insertParams(
  viewer: Viewer,
  m: NewMessage,
  attachmentsJson: string | null = null,
): unknown[] {
  return [
    m.conversationId,
    viewer.id,
    viewer.eventId,
    m.id,
    m.clientMessageId,
    m.content,
    m.replyToId,
    m.mentions ?? [],
    m.mentionsHere ?? false,
    attachmentsJson,
    m.announcement ?? false,
  ]
}

export function createMessageStore(prisma: PrismaClient) {
  const query = rawQuery(prisma)
  const inTransaction = rawTransaction(prisma)
  /**
   * A read of one conversation's rows past a bound ($4) in one order, at most $5, with reactions; empty when
   * the viewer may not see the conversation (membership folded into the read). `name` prepares it on Postgres.
   */
  const visiblePage = (name: string, bound: string, order: string) => {
    const text = `SELECT ${M_COLUMNS}, ${REACTIONS} FROM "Message" m
         WHERE m."conversationId" = $1::uuid AND ${bound} AND ${VISIBLE}
         ORDER BY ${order} LIMIT $5::int`
    return (viewer: Viewer, conversationId: string, from: number, limit: number) =>
      query<RowWithReactions>(name, text, [conversationId, viewer.id, viewer.eventId, from, limit])
  }
  const before = visiblePage('message.page', 'm.seq < $4::int', 'm.seq DESC')
  const store = {
    /** One send (INSERT_ONE); no row back: nothing was written. */
    async insert(viewer: Viewer, m: NewMessage): Promise<SentRow | undefined> {
      const [row] = await query<SentRow>('message.insert', INSERT_ONE, insertParams(viewer, m))
      return row
    },

    /**
     * Several sends, each by INSERT_ONE, in one transaction: one commit for all (group commit; see
     * send-queue.ts). Rows in the order given, undefined where none was written. Within the transaction
     * they go by conversation id (in order within each), so that two instances locking the same
     * conversations take them in the same order. A unique violation (a replay stored meanwhile) rolls back
     * all of them: the caller then sends them one by one. Through pg on Postgres, through Prisma on PGlite.
     */
    async insertGroup(items: (NewMessage & { viewer: Viewer })[]): Promise<(SentRow | undefined)[]> {
      const rows: (SentRow | undefined)[] = new Array(items.length)
      const order = items.map((_, i) => i)
      order.sort((x, y) =>
        items[x]!.conversationId < items[y]!.conversationId
          ? -1
          : items[x]!.conversationId > items[y]!.conversationId
            ? 1
            : x - y,
      )
      await inTransaction(async (q) => {
        for (const i of order) {
          const item = items[i]!
          ;[rows[i]] = await q<SentRow>('message.insert', INSERT_ONE, insertParams(item.viewer, item))
        }
      })
      return rows
    },

    /**
     * Several sends in one statement and one commit (see send-queue.ts): each row is written
     * under the same rules as `insert`, and the rows of one conversation take consecutive seqs in the order
     * given. The map holds the rows written, by message id; one missing was not written (not a member, muted, a
     * bad reply target, or already stored under its clientMessageId — a replay). A replay stored meanwhile by
     * another instance fails the whole statement with a unique violation, which writes nothing: the caller
     * then sends them one by one.
     */
    async insertMany(items: (NewMessage & { viewer: Viewer })[]): Promise<Map<string, SentRow>> {
      const column = <T>(pick: (i: (typeof items)[number]) => T) => items.map(pick)
      const rows = await query<SentRow>(
        'message.insert-many',
        `WITH input AS (
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::boolean[])
             WITH ORDINALITY AS i(cid, uid, eid, mid, cmid, content, reply, mentions, here, n)
         ), valid AS (
           SELECT DISTINCT ON (i.uid, i.cmid) i.* FROM input i
           WHERE EXISTS (SELECT 1 FROM "Conversation" WHERE id = i.cid AND "eventId" = i.eid)
             AND EXISTS (SELECT 1 FROM "Member" WHERE "conversationId" = i.cid AND "userId" = i.uid)
             AND NOT ${SILENCED('i.uid')}
             AND (i.reply IS NULL OR EXISTS (SELECT 1 FROM "Message" WHERE id = i.reply AND "conversationId" = i.cid))
             AND NOT EXISTS (SELECT 1 FROM "Message" WHERE "senderId" = i.uid AND "clientMessageId" = i.cmid)
             AND NOT EXISTS (SELECT 1 FROM "Conversation" WHERE id = i.cid AND kind = 'event'
               AND ${ANNOUNCEMENT_ONLY_GUEST('i.eid', 'i.uid')})
           ORDER BY i.uid, i.cmid, i.n
         ), numbered AS (
           SELECT v.*, row_number() OVER (PARTITION BY v.cid ORDER BY v.n)::int AS k,
             count(*) OVER (PARTITION BY v.cid)::int AS total
           FROM valid v
         ), locked AS (
           -- In one order, so two instances writing to the same conversations wait instead of deadlocking.
           SELECT id FROM "Conversation" WHERE id IN (SELECT cid FROM numbered) ORDER BY id FOR UPDATE
         ), c AS (
           UPDATE "Conversation" cv
           SET "lastSeq" = cv."lastSeq" + t.total, "lastRev" = cv."lastRev" + t.total, "lastMessageAt" = now()
           FROM (SELECT cid, max(total) AS total FROM numbered GROUP BY cid) t
           WHERE cv.id = t.cid AND cv.id IN (SELECT id FROM locked)
           RETURNING cv.id, cv."lastSeq", cv."lastRev", cv."lastMessageAt", cv.kind
         ), m AS (
           INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "replyToId", "createdAt", mentions, "mentionsHere")
           SELECT nb.mid, nb.cid, c."lastSeq" - nb.total + nb.k, c."lastRev" - nb.total + nb.k, nb.uid, nb.cmid,
             nb.content, nb.reply, c."lastMessageAt", string_to_array(nb.mentions, ',')::uuid[], nb.here
           FROM numbered nb JOIN c ON c.id = nb.cid
           RETURNING ${MESSAGE_COLUMNS}
         )
         SELECT ${M_COLUMNS}, c.kind::text AS kind,
           CASE WHEN c.kind = 'event' THEN NULL
                ELSE (SELECT json_agg("userId") FROM "Member" WHERE "conversationId" = m."conversationId" AND "userId" <> m."senderId")
           END AS recipients
         FROM m JOIN c ON c.id = m."conversationId"`,
        [
          column((i) => i.conversationId),
          column((i) => i.viewer.id),
          column((i) => i.viewer.eventId),
          column((i) => i.id),
          column((i) => i.clientMessageId),
          column((i) => i.content),
          column((i) => i.replyToId),
          // A multidimensional array must be rectangular: each row's ids travel as one comma-joined text.
          column((i) => (i.mentions ?? []).join(',')),
          column((i) => i.mentionsHere ?? false),
        ],
      )
      return new Map(rows.map((row) => [row.id, row]))
    },

    /** Newest first, with reactions: the `limit` messages before `beforeSeq` (or the latest); empty when the viewer may not see them. */
    pageBefore(viewer: Viewer, conversationId: string, beforeSeq: number | undefined, limit: number) {
      // No beforeSeq = before the largest int: one statement whose generic plan still walks the index.
      return before(viewer, conversationId, beforeSeq ?? 2_147_483_647, limit)
    },

    /** Oldest first, with reactions: the `limit` messages after `afterSeq`; empty when the viewer may not see them. */
    pageAfter: visiblePage('message.page-after', 'm.seq > $4::int', 'm.seq ASC'),

    /**
     * Both sides of a point in one statement: up to `upTo` messages at or before it (newest first), then up
     * to `after` messages after it (oldest first), with reactions. The point is a seq, or the seq of the
     * message `at.messageId` in this conversation (none: no rows). Empty when the viewer may not see them.
     */
    pageAround(
      viewer: Viewer,
      conversationId: string,
      at: { seq: number } | { messageId: string },
      upTo: number,
      after: number,
    ) {
      const side = (where: string, order: 'ASC' | 'DESC', limit: string) =>
        `(SELECT ${M_COLUMNS}, ${REACTIONS} FROM "Message" m, point
          WHERE m."conversationId" = $1::uuid AND ${where} AND ${VISIBLE}
          ORDER BY m.seq ${order} LIMIT ${limit})`
      return query<RowWithReactions>(
        'message.page-around',
        `WITH point AS (
           SELECT CASE WHEN $6::uuid IS NULL THEN $4::int
             ELSE (SELECT seq FROM "Message" WHERE id = $6::uuid AND "conversationId" = $1::uuid) END AS seq
         )
         ${side('m.seq <= point.seq', 'DESC', '$5::int')}
         UNION ALL
         ${side('m.seq > point.seq', 'ASC', '$7::int')}`,
        [
          conversationId,
          viewer.id,
          viewer.eventId,
          'seq' in at ? at.seq : null,
          upTo,
          'messageId' in at ? at.messageId : null,
          after,
        ],
      )
    },

    /** Changed after `sinceRev`, by rev; empty when the viewer may not see them. */
    changedSince: visiblePage('message.changes', 'm.rev > $4::int', 'm.rev ASC'),

    /** Changed after `sinceRev`, by rev, for a conversation whose visibility the caller has checked. */
    changedSinceChecked(conversationId: string, sinceRev: number, limit: number) {
      return query<RowWithReactions>(
        'message.changes-checked',
        `SELECT ${M_COLUMNS}, ${REACTIONS} FROM "Message" m WHERE m."conversationId" = $1::uuid AND m.rev > $2::int
         ORDER BY m.rev ASC LIMIT $3::int`,
        [conversationId, sinceRev, limit],
      )
    },
  }
  return store
}

export type MessageStore = ReturnType<typeof createMessageStore>
