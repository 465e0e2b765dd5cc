import { Room, type UserStatusEvent } from '@secura/shared'
import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import type { Publisher } from '../ports.ts'
import { memoryPresenceStore, type PresenceStore } from './presence-store.ts'

export interface PresenceDeps {
  prisma: PrismaClient
  publisher: Publisher
  /** How long after a user's last socket closes before they are shown offline. */
  graceMs: number
  /** Who is connected: this process's memory (one instance) or Redis (several). */
  store?: PresenceStore
  /** Failures of announcements the store starts by itself (no socket to blame them on). */
  onError?: (error: unknown) => void
}

/**
 * Who is online: a user is online while any of their sockets is connected (on any instance, with a
 * shared store), and goes offline only `graceMs` after the last one closes, so reloads and second tabs do
 * not flap. The store decides each change atomically, so it is announced once. Status changes go to the
 * user's direct and group partners and to sockets subscribed to them — never to a whole event.
 */
export function createPresenceService({
  prisma,
  publisher,
  graceMs,
  store = memoryPresenceStore(),
  onError = () => {},
}: PresenceDeps) {
  /** Sockets of each user on this instance (typing indicators are per instance). */
  const localSockets = new Map<string, number>()
  const offlineTimers = new Map<string, NodeJS.Timeout>()
  const lastSeen = new Map<string, Date>()
  const query = rawQuery(prisma)

  async function announce(userId: string, status: 'online' | 'offline', at: Date) {
    const partners = await query<{ userId: string }>(
      'presence.partners',
      `SELECT DISTINCT other."userId" FROM "Member" mine
       JOIN "Conversation" cv ON cv.id = mine."conversationId" AND cv.kind <> 'event'
       JOIN "Member" other ON other."conversationId" = mine."conversationId" AND other."userId" <> mine."userId"
       WHERE mine."userId" = $1::uuid`,
      [userId],
    )
    // Overtaken while the database answered (a reconnect during the offline write): the newer change is told.
    const online = (await store.online([userId])).has(userId)
    if (online !== (status === 'online')) return
    const event: UserStatusEvent = {
      userId,
      status,
      lastSeenAt: at.toISOString(),
      timestamp: new Date().toISOString(),
    }
    publisher.emit([Room.presence(userId), ...partners.map((p) => Room.user(p.userId))], 'user:status', event)
  }

  async function wentOffline(userId: string) {
    const at = new Date()
    lastSeen.set(userId, at)
    await prisma.user.updateMany({ where: { id: userId }, data: { lastSeenAt: at } })
    await announce(userId, 'offline', at)
  }

  store.onOffline((userIds) => {
    for (const userId of userIds) wentOffline(userId).catch(onError)
  })
  store.onOnline((userIds) => {
    for (const userId of userIds) announce(userId, 'online', new Date()).catch(onError)
  })

  return {
    async connected(userId: string): Promise<void> {
      localSockets.set(userId, (localSockets.get(userId) ?? 0) + 1)
      const pending = offlineTimers.get(userId)
      if (pending) {
        clearTimeout(pending)
        offlineTimers.delete(userId)
      }
      // False when back within the grace period (a reload), or already online elsewhere: nobody is told.
      if (await store.connected(userId)) await announce(userId, 'online', new Date())
    },

    /** Returns true when this was the user's last socket here. */
    disconnected(userId: string, onOffline: (error: unknown) => void): boolean {
      const count = (localSockets.get(userId) ?? 1) - 1
      if (count > 0) localSockets.set(userId, count)
      else localSockets.delete(userId)
      store
        .disconnected(userId)
        .then((noSocketLeft) => {
          if (!noSocketLeft) return
          clearTimeout(offlineTimers.get(userId))
          const timer = setTimeout(() => {
            offlineTimers.delete(userId)
            store
              .settle(userId)
              .then((offline) => (offline ? wentOffline(userId) : undefined))
              .catch(onOffline)
          }, graceMs)
          timer.unref()
          offlineTimers.set(userId, timer)
        })
        .catch(onOffline)
      return count <= 0
    },

    /** Which of these users are shown online. */
    online: (userIds: string[]) => store.online(userIds),

    /** Sockets the user holds open, on every instance. */
    socketCount: (userId: string) => store.socketCount(userId),

    /** How many users are shown online. */
    onlineCount: () => store.onlineCount(),

    /** Statuses of the given users (of the viewer's event), from the store and the stored lastSeenAt. */
    async statuses(eventId: string, userIds: string[]): Promise<UserStatusEvent[]> {
      const users = await prisma.user.findMany({
        where: { id: { in: userIds }, eventId },
        select: { id: true, lastSeenAt: true },
      })
      const online = await store.online(users.map((u) => u.id))
      const now = new Date().toISOString()
      return users.map((u) => {
        // Written here a moment ago, or by another instance since: the later one.
        const cached = lastSeen.get(u.id)
        const seen = cached && cached > u.lastSeenAt ? cached : u.lastSeenAt
        return {
          userId: u.id,
          status: online.has(u.id) ? 'online' : 'offline',
          lastSeenAt: seen.toISOString(),
          timestamp: now,
        }
      })
    },

    async close() {
      for (const timer of offlineTimers.values()) clearTimeout(timer)
      offlineTimers.clear()
      await store.close()
    },
  }
}

export type PresenceService = ReturnType<typeof createPresenceService>
