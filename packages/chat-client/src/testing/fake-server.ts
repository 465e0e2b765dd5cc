import {
  type Attachment,
  type Conversation,
  type ConversationSummary,
  type Message,
  type MessagePage,
  newId,
  type ServerEvents,
  type SyncResponse,
} from '@secura/shared'
import { ApiError } from '../http.ts'

type Listener = <E extends keyof ServerEvents>(event: E, payload: Parameters<ServerEvents[E]>[0]) => void

interface Room {
  conversation: Conversation
  reads: Map<string, number>
}

/**
 * An in-memory chat server with the rules the storage relies on (protocol §2, §4, §6): seq and rev per
 * conversation, idempotent sends by (sender, clientMessageId), tombstones, changes since a rev, and
 * message:new broadcast to joined sockets. Tests read its log to check what reached it and in what order.
 */
export class FakeServer {
  readonly rooms = new Map<string, Room>()
  readonly messages = new Map<string, Message>()
  /** What reached the server, in order: `join <id>`, `sync`, `send <clientMessageId> <via>`, … */
  readonly log: string[] = []
  /** Sockets joined to a conversation get its live events. */
  readonly subscribers = new Map<string, Set<Listener>>()
  /** Stores and acks but broadcasts nothing: live events lost on the way. */
  dropBroadcasts = false
  /** Uploads by id, with their owner and the message that claimed them (none yet: null). */
  readonly uploads = new Map<
    string,
    { attachment: Attachment; userId: string; messageId: string | null; key: string | undefined }
  >()

  upload(userId: string, conversationId: string, name: string, size: number, key?: string): Attachment {
    this.room(userId, conversationId)
    // As the server does: the same uploader's key again answers the upload it made.
    const earlier = [...this.uploads.values()].find((u) => key && u.key === key && u.userId === userId)
    if (earlier) return earlier.attachment
    const attachment: Attachment = {
      id: newId(),
      kind: 'image',
      mime: 'image/webp',
      name,
      size,
      width: 4,
      height: 3,
      blurhash: null,
    }
    this.uploads.set(attachment.id, { attachment, userId, messageId: null, key })
    this.log.push(`upload ${name}`)
    return attachment
  }

  addConversation(memberIds: string[], kind: Conversation['kind'] = 'group'): Conversation {
    const id = newId()
    const now = new Date().toISOString()
    const conversation: Conversation = {
      id,
      eventId: 'event-1',
      kind,
      title: kind === 'group' ? 'Group' : null,
      createdById: memberIds[0] ?? null,
      createdAt: now,
      lastSeq: 0,
      lastRev: 0,
      lastMessageAt: null,
      memberCount: memberIds.length,
      members: memberIds.map((userId) => ({
        userId,
        displayName: userId,
        role: 'member',
        joinedAt: now,
        lastReadSeq: 0,
      })),
    }
    this.rooms.set(id, { conversation, reads: new Map(memberIds.map((u) => [u, 0])) })
    return conversation
  }

  send(
    userId: string,
    input: {
      conversationId: string
      content: string
      clientMessageId: string
      replyToId?: string | null
      attachmentIds?: string[]
    },
    via: 'socket' | 'http',
  ): { message: Message; created: boolean } {
    this.log.push(`send ${input.clientMessageId} ${via}`)
    const existing = [...this.messages.values()].find(
      (m) => m.senderId === userId && m.clientMessageId === input.clientMessageId,
    )
    if (existing) return { message: existing, created: false }
    const room = this.room(userId, input.conversationId)
    const ids = input.attachmentIds ?? []
    const usable = (id: string) => {
      const upload = this.uploads.get(id)
      return upload && upload.userId === userId && !upload.messageId ? upload : undefined
    }
    const missing = ids.filter((id) => !usable(id))
    if (missing.length > 0)
      throw new ApiError('VALIDATION', 400, 'attachmentIds must be your own uploads', { missing })
    const claimed = ids.map((id) => usable(id)!)
    const c = room.conversation
    c.lastSeq += 1
    c.lastRev += 1
    const message: Message = {
      id: newId(),
      conversationId: c.id,
      seq: c.lastSeq,
      rev: c.lastRev,
      senderId: userId,
      clientMessageId: input.clientMessageId,
      content: input.content,
      replyToId: input.replyToId ?? null,
      timestamp: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
      deletedBy: null,
      reactions: [],
      ...(claimed.length > 0 && { attachments: claimed.map((u) => u.attachment) }),
    }
    for (const upload of claimed) upload.messageId = message.id
    c.lastMessageAt = message.timestamp
    this.messages.set(message.id, message)
    this.broadcast(c.id, 'message:new', message)
    return { message, created: true }
  }

  edit(userId: string, messageId: string, content: string): Message {
    const message = this.revise(userId, messageId, { content, editedAt: new Date().toISOString() })
    this.broadcast(message.conversationId, 'message:edited', {
      conversationId: message.conversationId,
      messageId,
      newContent: content,
      editedAt: message.editedAt!,
      rev: message.rev,
    })
    return message
  }

  remove(userId: string, messageId: string): Message {
    const message = this.revise(userId, messageId, {
      content: '',
      deletedAt: new Date().toISOString(),
      deletedBy: userId,
      reactions: [],
    })
    this.broadcast(message.conversationId, 'message:deleted', {
      conversationId: message.conversationId,
      messageId,
      deletedBy: userId,
      deletedAt: message.deletedAt!,
      rev: message.rev,
    })
    return message
  }

  react(userId: string, messageId: string, emoji: string, action: 'add' | 'remove'): Message {
    const current = this.messages.get(messageId)
    if (!current) throw new ApiError('NOT_FOUND', 404, 'Message not found')
    const others = current.reactions.filter((r) => r.emoji !== emoji)
    const users = new Set(current.reactions.find((r) => r.emoji === emoji)?.userIds ?? [])
    if (action === 'add') users.add(userId)
    else users.delete(userId)
    const reactions = users.size > 0 ? [...others, { emoji, userIds: [...users] }] : others
    const message = this.revise(userId, messageId, { reactions })
    this.broadcast(message.conversationId, 'message:reaction', {
      conversationId: message.conversationId,
      messageId,
      userId,
      emoji,
      action,
      reactions,
      rev: message.rev,
    })
    return message
  }

  changes(conversationId: string, sinceRev: number, limit = 100): MessagePage {
    const changed = this.messagesOf(conversationId)
      .filter((m) => m.rev > sinceRev)
      .sort((a, b) => a.rev - b.rev)
    return { messages: changed.slice(0, limit), hasMore: changed.length > limit }
  }

  history(conversationId: string, beforeSeq = Number.MAX_SAFE_INTEGER, limit = 50): MessagePage {
    const older = this.messagesOf(conversationId).filter((m) => m.seq < beforeSeq)
    return { messages: older.slice(-limit), hasMore: older.length > limit }
  }

  after(conversationId: string, afterSeq: number, limit = 50): MessagePage {
    const newer = this.messagesOf(conversationId).filter((m) => m.seq > afterSeq)
    const hasNewer = newer.length > limit
    return { messages: newer.slice(0, limit), hasMore: hasNewer, hasNewer }
  }

  /** As the server: ⌊(limit − 1)/2⌋ before the point, the rest after; a message id not here is NOT_FOUND. */
  around(conversationId: string, at: { seq: number } | { messageId: string }, limit = 50): MessagePage {
    const all = this.messagesOf(conversationId)
    const point = 'seq' in at ? at.seq : all.find((m) => m.id === at.messageId)?.seq
    if (point === undefined) throw new ApiError('NOT_FOUND', 404, 'Message not found')
    const before = Math.floor((limit - 1) / 2)
    const upTo = all.filter((m) => m.seq <= point)
    const later = all.filter((m) => m.seq > point)
    return {
      messages: [...upTo.slice(-(before + 1)), ...later.slice(0, limit - 1 - before)],
      hasMore: upTo.length > before + 1,
      hasNewer: later.length > limit - 1 - before,
    }
  }

  sync(userId: string, cursors: { conversationId: string; rev: number }[], limit = 100): SyncResponse {
    this.log.push('sync')
    const changes = cursors.flatMap(({ conversationId, rev }) => {
      const room = this.rooms.get(conversationId)
      if (!room?.reads.has(userId)) return []
      const { lastSeq, lastRev } = room.conversation
      return [{ conversationId, lastSeq, lastRev, ...this.changes(conversationId, rev, limit) }]
    })
    return { changes }
  }

  list(userId: string): ConversationSummary[] {
    return [...this.rooms.values()]
      .filter((r) => r.reads.has(userId))
      .map(({ conversation, reads }) => {
        const lastReadSeq = reads.get(userId) ?? 0
        const messages = this.messagesOf(conversation.id)
        const unread = messages.filter((m) => m.seq > lastReadSeq && m.senderId !== userId && !m.deletedAt)
        return {
          ...structuredClone(conversation),
          lastMessage: messages.at(-1) ?? null,
          unreadCount: unread.length,
          lastReadSeq,
          mentionCount: unread.filter((m) => m.mentionsHere || m.mentions?.includes(userId)).length,
        }
      })
  }

  markRead(userId: string, conversationId: string, seq: number) {
    const room = this.room(userId, conversationId)
    const lastReadSeq = Math.max(room.reads.get(userId) ?? 0, Math.min(seq, room.conversation.lastSeq))
    room.reads.set(userId, lastReadSeq)
    return { conversationId, lastReadSeq }
  }

  room(userId: string, conversationId: string): Room {
    const room = this.rooms.get(conversationId)
    if (!room?.reads.has(userId)) throw new ApiError('NOT_FOUND', 404, 'Conversation not found')
    return room
  }

  /** Every stored message with this clientMessageId: one per logical message. */
  stored(clientMessageId: string): Message[] {
    return [...this.messages.values()].filter((m) => m.clientMessageId === clientMessageId)
  }

  messagesOf(conversationId: string): Message[] {
    return [...this.messages.values()]
      .filter((m) => m.conversationId === conversationId)
      .sort((a, b) => a.seq - b.seq)
  }

  broadcast<E extends keyof ServerEvents>(
    conversationId: string,
    event: E,
    payload: Parameters<ServerEvents[E]>[0],
  ) {
    if (this.dropBroadcasts) return
    for (const listener of this.subscribers.get(conversationId) ?? [])
      listener(event, structuredClone(payload))
  }

  private revise(userId: string, messageId: string, patch: Partial<Message>): Message {
    const current = this.messages.get(messageId)
    if (!current) throw new ApiError('NOT_FOUND', 404, 'Message not found')
    const c = this.room(userId, current.conversationId).conversation
    c.lastRev += 1
    const message = { ...current, ...patch, rev: c.lastRev }
    this.messages.set(messageId, message)
    return message
  }
}
