-- Full-text search over message text (protocol §4, GET /api/chat/search). An expression index, not a
-- generated column: schema.prisma cannot describe either, and an index adds nothing to the rows that every
-- history page reads. 'simple': guests write in many languages, so words are lowercased, never stemmed.
-- The search statement repeats this expression exactly, or the planner cannot use the index.
CREATE INDEX "Message_content_search_idx" ON "Message" USING gin (to_tsvector('simple'::regconfig, content));
