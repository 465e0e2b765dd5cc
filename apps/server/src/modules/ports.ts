import type { ServerEvents } from '@secura/shared'

/**
 * How services reach connected clients without knowing socket.io: the realtime plugin implements it,
 * across every instance when a cluster adapter is installed.
 */
export interface Publisher {
  /** Emits to every socket in the rooms, except those also in `exceptRooms`. */
  emit<E extends keyof ServerEvents>(
    rooms: string | string[],
    event: E,
    payload: Parameters<ServerEvents[E]>[0],
    exceptRooms?: string | string[],
  ): void
  /** Disconnects every socket in the rooms. */
  disconnect(rooms: string | string[]): void
  /** Makes every socket in `room` leave `roomToLeave` (a removed member stops receiving a conversation). */
  leave(room: string, roomToLeave: string): void
}

/** A publisher that drops everything: for command-line tools, which have no sockets. */
export const noPublisher: Publisher = { emit() {}, disconnect() {}, leave() {} }
