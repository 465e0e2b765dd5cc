import { type Message, Room } from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import type { Message as MessageRow } from '../../generated/prisma/client.ts'
import type { AttachmentsService } from '../attachments/attachments.service.ts'
import type { Publisher } from '../ports.ts'
import { revise } from './revise.ts'
import { toMessage } from './wire.ts'

/**
 * Deletes a message as a tombstone — text, reactions and attachments (rows, then files) gone, the row kept so seq has no holes — and tells
 * the conversation. `deletedBy` null: the operator's admin token. Idempotent: a tombstone is answered as is.
 */
export async function tombstone(
  prisma: PrismaClient,
  publisher: Publisher,
  row: MessageRow,
  deletedBy: string | null,
  attachments?: Pick<AttachmentsService, 'purge'>,
): Promise<Message> {
  if (row.deletedAt) return toMessage(row)
  const { deleted, files } = await prisma.$transaction(async (tx) => {
    await tx.reaction.deleteMany({ where: { messageId: row.id } })
    // The files' rows go with the tombstone, so no one can fetch them from the moment it commits.
    const files = await tx.attachment.findMany({
      where: { messageId: row.id },
      select: { kind: true, storageKey: true },
    })
    if (files.length > 0) await tx.attachment.deleteMany({ where: { messageId: row.id } })
    const deleted = await revise(tx, row.conversationId, row.id, {
      set: `content = '', attachments = NULL, "deletedAt" = now(), "deletedBy" = $3::uuid, "pinnedAt" = NULL, "pinnedBy" = NULL`,
      params: [deletedBy],
    })
    return { deleted, files }
  })
  // The deletion stands once committed: files a failing storage keeps are an orphan sweep's to remove.
  if (files.length > 0) await attachments?.purge(files).catch(() => undefined)
  if (!deleted) return toMessage((await prisma.message.findUnique({ where: { id: row.id } }))!)
  const message = toMessage(deleted)
  publisher.emit(Room.conversation(row.conversationId), 'message:deleted', {
    conversationId: row.conversationId,
    messageId: row.id,
    deletedBy,
    deletedAt: message.deletedAt!,
    rev: message.rev,
  })
  return message
}
