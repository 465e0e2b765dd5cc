/**
 * The conversations whose messages the viewer can search: those of their event they are a member of (every
 * guest is a member of the lobby), or only the one named. Parameters: viewer id, event id, conversation id
 * or null.
 */
export const SEARCHABLE_CONVERSATIONS = `SELECT cv.id FROM "Conversation" cv
       JOIN "Member" mb ON mb."conversationId" = cv.id AND mb."userId" = $1::uuid
       WHERE cv."eventId" = $2::uuid AND ($3::uuid IS NULL OR cv.id = $3::uuid)`

/**
 * The messages of those conversations (SEARCHABLE_CONVERSATIONS) that hold every word, not deleted. Best
 * first (ts_rank), then newest, among the newest SEARCH_CANDIDATES matches.
 *
 * Two plans serve it, and Postgres picks per query from its statistics, so the statement is planned for
 * each call's values (never a prepared statement's generic plan):
 * - a word in few messages: the GIN index on "searchVector" finds them all, and the newest are sorted out;
 * - a word in many: the "createdAt" index is walked newest first and each message's stored words are
 *   tested, stopping at the SEARCH_CANDIDATES-th match, instead of reading every match to learn its time.
 * The conversations come as a list of ids, not as a join with the viewer's memberships: with a join the
 * planner knows only the average conversation's size, and in an event whose lobby holds most of the
 * messages it took the lobby for a small one and read it through the conversation index (a second or more
 * for a frequent word among two million messages); with the ids it sees each one's share of the table.
 * ts_rank reads the stored vector: nothing is parsed again. An edit changes `content` and a deletion clears
 * it, and Postgres recomputes the vector with either.
 * Parameters: conversation ids, tsquery text (terms.ts), limit, offset, candidates.
 * Its own module, free of imports, so the bench can EXPLAIN the very statement the server runs.
 */
export const SEARCH_MESSAGES = `WITH candidates AS (
         SELECT m.id, m."conversationId", m.seq, m."senderId", m.content, m."createdAt", m."editedAt",
           m."searchVector"
         FROM "Message" m
         WHERE m."conversationId" = ANY($1::uuid[])
           AND m."searchVector" @@ to_tsquery('simple'::regconfig, $2::text)
           AND m."deletedAt" IS NULL
         ORDER BY m."createdAt" DESC
         LIMIT $5::int
       )
       SELECT c.id, c."conversationId", c.seq, c."senderId", c.content, c."createdAt", c."editedAt",
         cv.kind::text AS kind, cv.title, u."displayName" AS "senderName"
       FROM candidates c
       JOIN "Conversation" cv ON cv.id = c."conversationId"
       JOIN "User" u ON u.id = c."senderId"
       ORDER BY ts_rank(c."searchVector", to_tsquery('simple'::regconfig, $2::text)) DESC, c."createdAt" DESC,
         c.seq DESC, c.id DESC
       LIMIT $3::int OFFSET $4::int`

/** How many of the newest matches are ranked: more than the deepest page reaches (LIMITS.searchDepth). */
export const SEARCH_CANDIDATES = 1000
