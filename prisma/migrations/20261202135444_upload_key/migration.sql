-- Uploads made idempotent (protocol §4): the client's key for a file, unique per uploader, so an upload
-- repeated after its answer was lost finds the row the first made. Rows without a key (older clients) are
-- never equal under the index (NULLs are distinct).
ALTER TABLE "Attachment" ADD COLUMN "uploadKey" TEXT;

CREATE UNIQUE INDEX "Attachment_uploaderId_uploadKey_key" ON "Attachment"("uploaderId", "uploadKey");
