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
  /** How long without activity on every device before a connected user is shown away; 0: never. */
  awayMs?: number
  /** The clock activity is measured by (tests move it). */
  now?: () => number
}

/**
 * Who is online: a user is online while any of their sockets is connected (on any instance, with a
 * shared store), and goes offline only `graceMs` after the last one closes, so reloads and second tabs do
 * not flap. A connected user with no activity on any device for `awayMs` is away, and online again at the
 * next activity (the threshold is the hysteresis: nothing flips back and forth within it). The store
 * decides each change atomically, so it is announced once. Status changes go to the user's direct and
 * group partners and to sockets subscribed to them — never to a whole event.
 */
export function createPresenceService({
  prisma,
  publisher,
  graceMs,
  store = memoryPresenceStore(),
  onError = () => {},
  awayMs = 0,
  now = Date.now,
}: PresenceDeps) {
  /** Sockets of each user on this instance (typing indicators are per instance). */
  const localSockets = new Map<string, number>()
  const offlineTimers = new Map<string, NodeJS.Timeout>()
  const lastSeen = new Map<string, Date>()
  const query = rawQuery(prisma)

  async function announce(userId: string, status: UserStatusEvent['status'], at: Date) {
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
    const away = online && (await store.away([userId])).has(userId)
    const current = !online ? 'offline' : away ? 'away' : 'online'
    if (current !== status) return
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

  /** Marks away those idle for awayMs, each announced once (on any instance: the store decides). */
  async function checkAway(): Promise<void> {
    if (awayMs <= 0) return
    const idle = await store.idleSince(now() - awayMs)
    await Promise.all(idle.map((userId) => announce(userId, 'away', new Date(now()))))
  }
  // A quarter of the threshold: a user goes away between awayMs and 1.25 × awayMs after their last activity.
  const awaySweep =
    awayMs > 0 ? setInterval(() => checkAway().catch(onError), Math.max(1000, awayMs / 4)) : undefined
  awaySweep?.unref()

  return {
    async connected(userId: string): Promise<void> {
      localSockets.set(userId, (localSockets.get(userId) ?? 0) + 1)
      const pending = offlineTimers.get(userId)
      if (pending) {
        clearTimeout(pending)
        offlineTimers.delete(userId)
      }
      // A new socket is activity: a guest who opens the app is not away. False when back within the grace
      // period (a reload), or already online elsewhere: nobody is told.
      const wasAway = await store.active(userId, now())
      if ((await store.connected(userId)) || wasAway) await announce(userId, 'online', new Date())
    },

    /** The user did something on some device (`presence:activity`): back from away if they were. */
    async activity(userId: string): Promise<void> {
      if (await store.active(userId, now())) await announce(userId, 'online', new Date())
    },

    /** The away check, also run by a timer every quarter of awayMs. */
    checkAway,

    /** Of these users, those who have the app open and are not away (a push would only repeat a toast). */
    async present(userIds: string[]): Promise<Set<string>> {
      const online = await store.online(userIds)
      const away = await store.away([...online])
      return new Set([...online].filter((id) => !away.has(id)))
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

    /** Which of these (online) users are away. */
    away: (userIds: string[]) => store.away(userIds),

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
      const away = await store.away([...online])
      const timestamp = new Date().toISOString()
      return users.map((u) => {
        // Written here a moment ago, or by another instance since: the later one.
        const cached = lastSeen.get(u.id)
        const seen = cached && cached > u.lastSeenAt ? cached : u.lastSeenAt
        return {
          userId: u.id,
          status: !online.has(u.id) ? 'offline' : away.has(u.id) ? 'away' : 'online',
          lastSeenAt: seen.toISOString(),
          timestamp,
        }
      })
    },

    async close() {
      clearInterval(awaySweep)
      for (const timer of offlineTimers.values()) clearTimeout(timer)
      offlineTimers.clear()
      await store.close()
    },
  }
}

export type PresenceService = ReturnType<typeof createPresenceService>
