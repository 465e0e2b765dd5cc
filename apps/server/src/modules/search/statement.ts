/**
 * The messages the viewer can see that hold every word: in a conversation they are a member of (every guest
 * is a member of the lobby), of their event, not deleted. The expression matches the GIN index of the
 * migration message_search word for word, or the planner cannot use it. Best first (ts_rank), then newest,
 * among the newest SEARCH_CANDIDATES matches: ts_rank parses each message it ranks again (the index holds
 * no vectors), which for a word in a third of a million messages took seconds (docs/performance.md); the
 * candidates cost one index lookup and a heap read each, and the ranking stays bounded.
 * An edit changes `content`, so the index follows it; a deletion clears it and sets deletedAt.
 * Parameters: viewer id, event id, tsquery text (terms.ts), conversation id or null, limit, offset,
 * candidates.
 * Its own module, free of imports, so the bench can EXPLAIN the very statement the server runs.
 */
export const SEARCH_MESSAGES = `WITH q AS (SELECT to_tsquery('simple'::regconfig, $3::text) AS query),
       candidates AS (
         SELECT m.id, m."conversationId", m.seq, m."senderId", m.content, m."createdAt", m."editedAt",
           cv.kind::text AS kind, cv.title
         FROM "Message" m
         JOIN "Member" mb ON mb."conversationId" = m."conversationId" AND mb."userId" = $1::uuid
         JOIN "Conversation" cv ON cv.id = m."conversationId" AND cv."eventId" = $2::uuid
         CROSS JOIN q
         WHERE to_tsvector('simple'::regconfig, m.content) @@ q.query
           AND m."deletedAt" IS NULL
           AND ($4::uuid IS NULL OR m."conversationId" = $4::uuid)
         ORDER BY m."createdAt" DESC
         LIMIT $7::int
       )
       SELECT c.*, u."displayName" AS "senderName"
       FROM candidates c
       JOIN "User" u ON u.id = c."senderId"
       CROSS JOIN q
       ORDER BY ts_rank(to_tsvector('simple'::regconfig, c.content), q.query) DESC, c."createdAt" DESC, c.id DESC
       LIMIT $5::int OFFSET $6::int`

/** How many of the newest matches are ranked: more than the deepest page reaches (LIMITS.searchDepth). */
export const SEARCH_CANDIDATES = 1000
