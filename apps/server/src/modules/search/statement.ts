/**
 * The messages the viewer can see that hold every word: in a conversation they are a member of (every guest
 * is a member of the lobby), of their event, not deleted. Best first (ts_rank), then newest, among the
 * newest SEARCH_CANDIDATES matches.
 *
 * Two plans serve it, and Postgres picks per query from its statistics of the stored words (the migration
 * message_search_vector), so the tsquery is written inline, where the planner sees its value, and the
 * statement is planned for each call's values (never a prepared statement's generic plan):
 * - a word in few messages: the GIN index on "searchVector" finds them all, and the newest are sorted out;
 * - a word in many: the "createdAt" index is walked newest first and each message's stored words are
 *   tested, stopping at the SEARCH_CANDIDATES-th match, instead of reading every match to learn its time.
 * ts_rank reads the stored vector: nothing is parsed again. An edit changes `content` and a deletion clears
 * it, and Postgres recomputes the vector with either.
 * Parameters: viewer id, event id, tsquery text (terms.ts), conversation id or null, limit, offset,
 * candidates.
 * Its own module, free of imports, so the bench can EXPLAIN the very statement the server runs.
 */
export const SEARCH_MESSAGES = `WITH candidates AS (
         SELECT m.id, m."conversationId", m.seq, m."senderId", m.content, m."createdAt", m."editedAt",
           m."searchVector", cv.kind::text AS kind, cv.title
         FROM "Message" m
         JOIN "Member" mb ON mb."conversationId" = m."conversationId" AND mb."userId" = $1::uuid
         JOIN "Conversation" cv ON cv.id = m."conversationId" AND cv."eventId" = $2::uuid
         WHERE m."searchVector" @@ to_tsquery('simple'::regconfig, $3::text)
           AND m."deletedAt" IS NULL
           AND ($4::uuid IS NULL OR m."conversationId" = $4::uuid)
         ORDER BY m."createdAt" DESC
         LIMIT $7::int
       )
       SELECT c.id, c."conversationId", c.seq, c."senderId", c.content, c."createdAt", c."editedAt", c.kind,
         c.title, u."displayName" AS "senderName"
       FROM candidates c
       JOIN "User" u ON u.id = c."senderId"
       ORDER BY ts_rank(c."searchVector", to_tsquery('simple'::regconfig, $3::text)) DESC, c."createdAt" DESC,
         c.seq DESC, c.id DESC
       LIMIT $5::int OFFSET $6::int`

/** How many of the newest matches are ranked: more than the deepest page reaches (LIMITS.searchDepth). */
export const SEARCH_CANDIDATES = 1000
