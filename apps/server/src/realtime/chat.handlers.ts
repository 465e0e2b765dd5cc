import { Room, toSendCommand } from '@secura/shared'
import { validation } from '../errors.ts'
import { presenceRoom } from '../modules/presence/presence.service.ts'
import type { Services } from '../plugins/services.ts'
import { type HandlerContext, on } from './handle.ts'
import type { RoomViewers } from './room-viewers.ts'

/** Every client→server event of DESIGN §5: thin adapters over the services. */
export function registerChatHandlers(ctx: HandlerContext, services: Services, viewers: RoomViewers) {
  const { socket } = ctx
  const user = () => socket.data.user
  const { messages, conversations, presence, typing, access } = services

  on(ctx, 'message:send', async (payload) => {
    const { message, created } = await messages.send(user(), toSendCommand(payload))
    if (created) ctx.metrics?.messageAccepted('socket')
    return message
  })
  on(ctx, 'message:edited', (p) => messages.edit(user(), p.messageId, p.newContent))
  on(ctx, 'message:deleted', (p) => messages.delete(user(), p.messageId))
  on(ctx, 'message:reaction', (p) => messages.react(user(), p.messageId, p.emoji, p.action))

  on(ctx, 'message:typing', async (p) => {
    await access.assertMember(user(), p.conversationId)
    if (p.isTyping === false) typing.clear(p.conversationId, user().id)
    else typing.start(p.conversationId, user().id, socket.id)
    return null
  })
  on(ctx, 'message:stop-typing', async (p) => {
    await access.assertMember(user(), p.conversationId)
    typing.clear(p.conversationId, user().id)
    return null
  })

  on(ctx, 'conversation:join', async ({ conversationId }) => {
    await access.assertMember(user(), conversationId)
    const room = Room.conversation(conversationId)
    // The viewer tracker sees the join and announces a new viewer (room-viewers.ts).
    await socket.join(room)
    return { conversationId, userCount: await viewers.settled(room, user().id) }
  })
  on(ctx, 'conversation:leave', async ({ conversationId }) => {
    const room = Room.conversation(conversationId)
    if (!socket.rooms.has(room)) {
      // Not viewing it: members only, so a stranger learns nothing (not even how many are viewing).
      await access.assertMember(user(), conversationId)
      return { conversationId, userCount: await viewers.count(room) }
    }
    await socket.leave(room)
    return { conversationId, userCount: await viewers.settled(room, user().id) }
  })

  on(ctx, 'conversation:read', async ({ conversationId, seq }) => {
    const result = await conversations.markRead(user(), conversationId, seq)
    return { conversationId, lastReadSeq: result.lastReadSeq }
  })

  on(ctx, 'user:online', async (p) => {
    if (p.userId !== undefined && p.userId !== user().id) throw validation('userId must be your own')
    return null
  })

  on(ctx, 'presence:subscribe', async ({ userIds }) => {
    const statuses = await presence.statuses(user().eventId, userIds)
    // Replaces the previous subscription: the directory view the client shows now.
    for (const room of socket.rooms) if (room.startsWith('presence:')) socket.leave(room)
    const rooms = statuses.map((s) => presenceRoom(s.userId))
    if (rooms.length > 0) await socket.join(rooms)
    return { statuses }
  })
}
