import { Room } from '@secura/shared'
import type { ChatNamespace } from './socket.ts'

/**
 * Distinct users viewing each conversation room. This instance tells the store when a user's first socket
 * here enters a room and when the last one here leaves it; the store answers whether that changed the
 * user's presence in the room (on every instance, with a shared store) and how many users view it.
 */
export interface ViewerStore {
  enter(room: string, userId: string): Promise<{ changed: boolean; userCount: number }>
  exit(room: string, userId: string): Promise<{ changed: boolean; userCount: number }>
  count(room: string): Promise<number>
}

/** One instance: the rooms of this process's sockets are the whole truth. */
export function memoryViewerStore(): ViewerStore {
  const rooms = new Map<string, Set<string>>()
  return {
    async enter(room, userId) {
      const users = rooms.get(room) ?? new Set<string>()
      rooms.set(room, users)
      const changed = !users.has(userId)
      users.add(userId)
      return { changed, userCount: users.size }
    },
    async exit(room, userId) {
      const users = rooms.get(room)
      const changed = users?.delete(userId) ?? false
      if (users?.size === 0) rooms.delete(room)
      return { changed, userCount: users?.size ?? 0 }
    },
    async count(room) {
      return rooms.get(room)?.size ?? 0
    },
  }
}

/**
 * Follows the adapter's room changes, whatever causes them (a join or leave command, a disconnect, a
 * member removed on another instance), and announces conversation:user-joined / -left when a user starts
 * or stops viewing a conversation — a second tab is no new viewer.
 */
export function roomViewers(
  chat: ChatNamespace,
  store: ViewerStore = memoryViewerStore(),
  failed: (error: unknown, what: string) => void = () => {},
) {
  const local = new Map<string, Map<string, number>>()
  const latest = new Map<string, Promise<unknown>>()
  const inFlight = new Set<Promise<unknown>>()
  const localCount = (room: string) => local.get(room)?.size ?? 0

  function announce(kind: 'joined' | 'left', room: string, userId: string, userCount: number) {
    const payload = { conversationId: Room.id('conversation', room), userId, userCount }
    // The user's own sockets are not in the room before their first one joins.
    if (kind === 'joined') chat.to(room).except(Room.user(userId)).emit('conversation:user-joined', payload)
    else chat.to(room).emit('conversation:user-left', payload)
  }

  function tell(kind: 'enter' | 'exit', room: string, userId: string) {
    const key = `${room} ${userId}`
    const call = store[kind](room, userId)
      .catch((error) => {
        // The store is unreachable: this instance's view (what a single instance would say).
        failed(error, `viewers ${kind}`)
        return { changed: true, userCount: localCount(room) }
      })
      .then(({ changed, userCount }) => {
        if (changed) announce(kind === 'enter' ? 'joined' : 'left', room, userId, userCount)
      })
    latest.set(key, call)
    inFlight.add(call)
    call.finally(() => {
      inFlight.delete(call)
      if (latest.get(key) === call) latest.delete(key)
    })
  }

  const userOf = (socketId: string) => chat.sockets.get(socketId)?.data.user?.id

  chat.adapter.on('join-room', (room: string, socketId: string) => {
    const userId = userOf(socketId)
    if (!Room.is('conversation', room) || !userId) return
    const users = local.get(room) ?? new Map<string, number>()
    local.set(room, users)
    const sockets = (users.get(userId) ?? 0) + 1
    users.set(userId, sockets)
    if (sockets === 1) tell('enter', room, userId)
  })
  // Also fires while a disconnecting socket leaves its rooms (it is still in chat.sockets then).
  chat.adapter.on('leave-room', (room: string, socketId: string) => {
    const userId = userOf(socketId)
    const users = local.get(room)
    if (!Room.is('conversation', room) || !userId || !users?.has(userId)) return
    const sockets = users.get(userId)! - 1
    if (sockets > 0) {
      users.set(userId, sockets)
      return
    }
    users.delete(userId)
    if (users.size === 0) local.delete(room)
    tell('exit', room, userId)
  })

  const count = (room: string) =>
    store.count(room).catch((error) => {
      failed(error, 'viewers count')
      return localCount(room)
    })

  return {
    count,
    /** The room's viewer count once this instance has told the store about `userId`'s latest join or leave. */
    async settled(room: string, userId: string): Promise<number> {
      await latest.get(`${room} ${userId}`)
      return count(room)
    },
    announce,
    /** Every (room, user) with a socket here: this instance's contribution to a shared store. */
    localPairs: () =>
      [...local].flatMap(([room, users]) => [...users.keys()].map((userId) => ({ room, userId }))),
    async close() {
      await Promise.allSettled([...inFlight])
    },
  }
}

export type RoomViewers = ReturnType<typeof roomViewers>
