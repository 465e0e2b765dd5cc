import { type Message, PREVIEW_CHARS, Room, type SystemLine } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import type { Publisher } from '../ports.ts'
import { MESSAGE_COLUMNS } from './store.ts'
import { type MessageRow, toMessage } from './wire.ts'

type Db = Pick<PrismaClient, '$queryRawUnsafe'>

/**
 * A system line (protocol §2): a message of kind `system` taking the conversation's next seq and rev, like
 * any message, so it comes through history and sync. Written by the caller inside the transaction of the
 * change it describes: the change and its line commit together, or neither does. The sender is the actor
 * (so it is never unread for them); for the admin token, which is no user, the first target.
 */
export async function writeSystemLine(db: Db, conversationId: string, line: SystemLine): Promise<Message> {
  const senderId = line.actorId ?? line.targetIds[0]
  if (!senderId) throw new Error('A system line needs an actor or a target')
  const rows = await db.$queryRawUnsafe<MessageRow[]>(
    `WITH c AS (
       UPDATE "Conversation" SET "lastSeq" = "lastSeq" + 1, "lastRev" = "lastRev" + 1, "lastMessageAt" = now()
       WHERE id = $1::uuid RETURNING "lastSeq", "lastRev", "lastMessageAt"
     )
     INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "createdAt", kind, system)
     SELECT $2::uuid, $1::uuid, c."lastSeq", c."lastRev", $3::uuid, $4, '', c."lastMessageAt", 'system', $5::jsonb FROM c
     RETURNING ${MESSAGE_COLUMNS}`,
    conversationId,
    uuidv7(),
    senderId,
    // Unique per sender like any clientMessageId; a prefix no client id takes (clients send UUIDs).
    `system:${uuidv7()}`,
    JSON.stringify(line),
  )
  const row = rows[0]
  if (!row) throw new Error(`No conversation ${conversationId} for a system line`)
  return toMessage(row)
}

/** Tells the conversation after the commit: the line itself to viewers, a badge to the members elsewhere. */
export function announceSystemLine(
  publisher: Publisher,
  message: Message,
  recipients: { eventId: string } | string[],
) {
  const viewing = Room.conversation(message.conversationId)
  publisher.emit(viewing, 'message:new', message)
  const received = {
    conversationId: message.conversationId,
    messageId: message.id,
    seq: message.seq,
    senderId: message.senderId,
    preview: systemPreview(message).slice(0, PREVIEW_CHARS),
  }
  const rooms = Array.isArray(recipients) ? recipients.map(Room.user) : [Room.event(recipients.eventId)]
  if (rooms.length > 0)
    publisher.emit(rooms, 'conversation:message-received', received, [viewing, Room.user(message.senderId)])
}

/** A badge's words for a system line; names are the client's to resolve. */
function systemPreview(message: Message): string {
  const line = message.system
  switch (line?.type) {
    case 'group-created':
      return `Group “${line.title ?? ''}” created`
    case 'group-renamed':
      return `Group renamed to “${line.title ?? ''}”`
    case 'members-added':
      return line.targetIds.length === 1
        ? 'A member was added'
        : `${line.targetIds.length} members were added`
    case 'member-removed':
      return 'A member was removed'
    case 'member-left':
      return 'A member left'
    case 'guest-removed':
      return 'A guest was removed'
    default:
      return ''
  }
}
