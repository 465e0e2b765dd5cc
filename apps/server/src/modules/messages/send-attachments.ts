import type { Attachment } from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import { validation } from '../../errors.ts'
import type { Attachment as AttachmentRow } from '../../generated/prisma/client.ts'
import type { Viewer } from '../access.ts'
import { toAttachment } from '../attachments/attachments.service.ts'
import { MESSAGE_COLUMNS, type NewMessage, type SentRow } from './store.ts'

const M_COLUMNS = MESSAGE_COLUMNS.split(', ')
  .map((c) => `m.${c}`)
  .join(', ')

/**
 * A send that carries attachments, in one transaction: the sender's unsent uploads to this conversation are
 * locked (a second send naming one of them waits, then finds it taken), the message is written with their
 * wire form under the next seq and rev, and the uploads are marked as its own. All of it or nothing: a
 * replay fails the insert on the unique key and claims nothing. No row back: not a member, or a bad reply.
 */
export async function insertWithAttachments(
  prisma: PrismaClient,
  viewer: Viewer,
  m: NewMessage,
  attachmentIds: string[],
): Promise<SentRow | undefined> {
  const ids = [...new Set(attachmentIds)]
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRawUnsafe<AttachmentRow[]>(
      `SELECT * FROM "Attachment" WHERE id = ANY($1::uuid[]) AND "uploaderId" = $2::uuid
         AND "conversationId" = $3::uuid AND "messageId" IS NULL FOR UPDATE`,
      ids,
      viewer.id,
      m.conversationId,
    )
    if (rows.length !== ids.length)
      throw validation('attachmentIds must be your own uploads to this conversation, not sent before', {
        missing: ids.filter((id) => !rows.some((r) => r.id === id)),
      })
    const byId = new Map(rows.map((r) => [r.id, r]))
    const wire: Attachment[] = ids.map((id) => toAttachment(byId.get(id)!))
    const [row] = await tx.$queryRawUnsafe<SentRow[]>(
      `WITH c AS (
         UPDATE "Conversation" SET "lastSeq" = "lastSeq" + 1, "lastRev" = "lastRev" + 1, "lastMessageAt" = now()
         WHERE id = $1::uuid AND "eventId" = $3::uuid
           AND EXISTS (SELECT 1 FROM "Member" WHERE "conversationId" = $1::uuid AND "userId" = $2::uuid)
           AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM "Message" WHERE id = $7::uuid AND "conversationId" = $1::uuid))
         RETURNING "lastSeq", "lastRev", "lastMessageAt", kind
       ), m AS (
         INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "replyToId", "createdAt", attachments, mentions, "mentionsHere")
         SELECT $4::uuid, $1::uuid, c."lastSeq", c."lastRev", $2::uuid, $5, $6, $7::uuid, c."lastMessageAt", $8::jsonb, $9::uuid[], $10 FROM c
         RETURNING ${MESSAGE_COLUMNS}
       )
       SELECT ${M_COLUMNS}, c.kind::text AS kind,
         CASE WHEN c.kind = 'event' THEN NULL
              ELSE (SELECT json_agg("userId") FROM "Member" WHERE "conversationId" = $1::uuid AND "userId" <> $2::uuid)
         END AS recipients
       FROM m, c`,
      m.conversationId,
      viewer.id,
      viewer.eventId,
      m.id,
      m.clientMessageId,
      m.content,
      m.replyToId,
      JSON.stringify(wire),
      m.mentions ?? [],
      m.mentionsHere ?? false,
    )
    if (!row) return undefined
    await tx.$executeRawUnsafe(
      `UPDATE "Attachment" SET "messageId" = $1::uuid WHERE id = ANY($2::uuid[])`,
      row.id,
      ids,
    )
    return row
  })
}
