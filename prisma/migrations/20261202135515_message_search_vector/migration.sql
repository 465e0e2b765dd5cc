-- Search ranks without parsing: each message's words are stored beside its text, kept current by Postgres
-- on every insert and every change of `content` (an edit, a deletion clearing it), whichever statement
-- writes it. ts_rank over the expression index re-parsed every candidate (docs/performance.md). A generated
-- column is one schema.prisma cannot describe; the drift test lists it, and the index on it, as built here
-- only. Adding it rewrites the table once, under an exclusive lock.
DROP INDEX "Message_content_search_idx";

ALTER TABLE "Message"
  ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED;

CREATE INDEX "Message_searchVector_idx" ON "Message" USING gin ("searchVector");

-- Newest first across conversations: for a word in a large share of the messages, walking this index
-- backwards and stopping after enough matches reads far fewer rows than reading every match to sort them.
CREATE INDEX "Message_createdAt_idx" ON "Message"("createdAt");
