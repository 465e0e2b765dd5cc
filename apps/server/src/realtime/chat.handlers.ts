import { Room, toSendCommand } from '@secura/shared'
import { validation } from '../errors.ts'
import type { Metrics } from '../metrics.ts'
import type { Services } from '../modules/services.ts'
import type { Handlers } from './handle.ts'
import type { RoomViewers } from './room-viewers.ts'
import type { ChatSocket } from './socket.ts'

/** How often one socket's activity reaches the presence store, at most (clients send about once a minute). */
const ACTIVITY_EVERY_MS = 10_000

/** Every client→server event of protocol §5: thin adapters over the services, shared by all sockets. */
export function chatHandlers(
  services: Services,
  viewers: RoomViewers,
  metrics?: Pick<Metrics, 'messageAccepted'>,
): Handlers {
  const {
    messages,
    conversations,
    presence,
    typing,
    access,
    moderation,
    reports,
    push,
    announcements,
    events,
  } = services
  const staff = (socket: ChatSocket) => ({ kind: 'user' as const, user: socket.data.user })
  return {
    async 'message:send'(socket, payload) {
      const { message, created } = await messages.send(socket.data.user, toSendCommand(payload))
      if (created) metrics?.messageAccepted('socket')
      return message
    },
    'message:edited': (socket, p) => messages.edit(socket.data.user, p.messageId, p.newContent),
    'message:deleted': (socket, p) => messages.delete(socket.data.user, p.messageId),
    'message:reaction': (socket, p) => messages.react(socket.data.user, p.messageId, p.emoji, p.action),

    async 'message:typing'(socket, p) {
      const { user } = socket.data
      await access.assertMember(user, p.conversationId)
      if (p.isTyping === false) typing.clear(p.conversationId, user.id)
      else typing.start(p.conversationId, user.id, socket.id)
      return null
    },
    async 'message:stop-typing'(socket, p) {
      await access.assertMember(socket.data.user, p.conversationId)
      typing.clear(p.conversationId, socket.data.user.id)
      return null
    },

    async 'conversation:join'(socket, { conversationId }) {
      const { user } = socket.data
      await access.assertMember(user, conversationId)
      const room = Room.conversation(conversationId)
      // The viewer tracker sees the join and announces a new viewer (room-viewers.ts).
      await socket.join(room)
      return { conversationId, userCount: await viewers.settled(room, user.id) }
    },
    async 'conversation:leave'(socket, { conversationId }) {
      const room = Room.conversation(conversationId)
      if (!socket.rooms.has(room)) {
        // Not viewing it: members only, so a stranger learns nothing (not even how many are viewing).
        await access.assertMember(socket.data.user, conversationId)
        return { conversationId, userCount: await viewers.count(room) }
      }
      await socket.leave(room)
      return { conversationId, userCount: await viewers.settled(room, socket.data.user.id) }
    },

    async 'conversation:read'(socket, { conversationId, seq }) {
      const result = await conversations.markRead(socket.data.user, conversationId, seq)
      return { conversationId, lastReadSeq: result.lastReadSeq }
    },

    async 'user:online'(socket, p) {
      if (p.userId !== undefined && p.userId !== socket.data.user.id)
        throw validation('userId must be your own')
      return null
    },

    async 'presence:subscribe'(socket, { userIds }) {
      const statuses = await presence.statuses(socket.data.user.eventId, userIds)
      // Replaces the previous subscription: the directory view the client shows now.
      for (const room of socket.rooms) if (Room.is('presence', room)) socket.leave(room)
      const rooms = statuses.map((s) => Room.presence(s.userId))
      if (rooms.length > 0) await socket.join(rooms)
      return { statuses }
    },

    // Moderation from the chat: the service re-reads the actor's role, so a stale socket grants nothing.
    'moderation:mute': (socket, p) =>
      moderation.mute(staff(socket), socket.data.user.eventId, p.userId, p.minutes, p.reason),
    'moderation:remove': (socket, p) =>
      moderation.remove(staff(socket), socket.data.user.eventId, p.userId, p.reason),
    'moderation:restore': (socket, p) =>
      moderation.restore(staff(socket), socket.data.user.eventId, p.userId),
    'moderation:role': (socket, p) =>
      moderation.setRole(staff(socket), socket.data.user.eventId, p.userId, p.role),
    'conversation:rename': (socket, p) => conversations.rename(socket.data.user, p.conversationId, p.title),
    'message:report': async (socket, p) =>
      (await reports.report(socket.data.user, p.messageId, p.reason)).report,

    'conversation:mute': (socket, p) => push.setMuted(socket.data.user, p.conversationId, p.muted),
    async 'presence:activity'(socket) {
      // Away takes minutes: a store write per socket every ACTIVITY_EVERY_MS at most is enough.
      const at = Date.now()
      if (at - (socket.data.lastActivityAt ?? 0) < ACTIVITY_EVERY_MS) return null
      socket.data.lastActivityAt = at
      await presence.activity(socket.data.user.id)
      return null
    },
    'message:pin': (socket, p) => announcements.pin(socket.data.user, p.messageId),
    'message:unpin': (socket, p) => announcements.unpin(socket.data.user, p.messageId),
    'announcement:dismiss': (socket, p) => announcements.dismiss(socket.data.user, p.messageId),
    'event:settings': (socket, p) => events.updateSettings(staff(socket), socket.data.user.eventId, p),
  }
}
