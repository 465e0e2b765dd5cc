import type { ChatNamespace } from '../plugins/realtime.ts'

/**
 * Distinct users viewing a conversation room (socket.io counts sockets; a user with two tabs is one viewer).
 * Counts what this instance sees.
 */
export function roomViewers(chat: ChatNamespace) {
  const usersIn = (room: string): Set<string> => {
    const users = new Set<string>()
    for (const id of chat.adapter.rooms.get(room) ?? []) {
      const userId = chat.sockets.get(id)?.data.user?.id
      if (userId) users.add(userId)
    }
    return users
  }
  return {
    count: (room: string) => usersIn(room).size,
    isViewing: (room: string, userId: string) => usersIn(room).has(userId),
    /** After a socket left `room`: tells the room if that was the user's last socket there; returns the count. */
    leftRoom(room: string, userId: string, conversationId: string): number {
      const users = usersIn(room)
      if (!users.has(userId)) {
        chat.to(room).emit('conversation:user-left', { conversationId, userId, userCount: users.size })
      }
      return users.size
    },
  }
}

export type RoomViewers = ReturnType<typeof roomViewers>
