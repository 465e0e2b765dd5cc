import type { Attachment } from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import { validation } from '../../errors.ts'
import type { Attachment as AttachmentRow } from '../../generated/prisma/client.ts'
import type { Viewer } from '../access.ts'
import { toAttachment } from '../attachments/attachments.service.ts'
import { INSERT_ONE, insertParams, type NewMessage, type SentRow } from './store.ts'

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
      INSERT_ONE,
      ...insertParams(viewer, m, JSON.stringify(wire)),
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
