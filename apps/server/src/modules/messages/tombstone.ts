import { type Message, Room } from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import type { Message as MessageRow } from '../../generated/prisma/client.ts'
import type { Publisher } from '../ports.ts'
import { revise } from './revise.ts'
import { toMessage } from './wire.ts'

/**
 * Deletes a message as a tombstone — text and reactions gone, the row kept so seq has no holes — and tells
 * the conversation. `deletedBy` null: the operator's admin token. Idempotent: a tombstone is answered as is.
 */
export async function tombstone(
  prisma: PrismaClient,
  publisher: Publisher,
  row: MessageRow,
  deletedBy: string | null,
): Promise<Message> {
  if (row.deletedAt) return toMessage(row)
  const deleted = await prisma.$transaction(async (tx) => {
    await tx.reaction.deleteMany({ where: { messageId: row.id } })
    return revise(tx, row.conversationId, row.id, {
      set: `content = '', "deletedAt" = now(), "deletedBy" = $3::uuid`,
      params: [deletedBy],
    })
  })
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
