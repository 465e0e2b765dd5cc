import { Room, type UserStatusEvent } from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import type { Publisher } from '../ports.ts'

export const presenceRoom = (userId: string) => `presence:${userId}`

export interface PresenceDeps {
  prisma: PrismaClient
  publisher: Publisher
  /** How long after a user's last socket closes before they are shown offline. */
  graceMs: number
}

/**
 * Who is online, in this process: a user is online while any of their sockets is connected, and goes
 * offline only `graceMs` after the last one closes, so reloads and second tabs do not flap.
 * Status changes go to the user's direct and group partners and to sockets subscribed to them —
 * never to a whole event.
 */
export function createPresenceService({ prisma, publisher, graceMs }: PresenceDeps) {
  const sockets = new Map<string, number>()
  const pendingOffline = new Map<string, NodeJS.Timeout>()
  const lastSeen = new Map<string, Date>()

  async function announce(userId: string, status: 'online' | 'offline', at: Date) {
    const partners = await prisma.member.findMany({
      where: {
        conversation: { kind: { not: 'event' }, members: { some: { userId } } },
        userId: { not: userId },
      },
      select: { userId: true },
      distinct: ['userId'],
    })
    // Overtaken while the database answered (a reconnect during the offline write): the newer change is told.
    const online = (sockets.get(userId) ?? 0) > 0 || pendingOffline.has(userId)
    if (online !== (status === 'online')) return
    const event: UserStatusEvent = {
      userId,
      status,
      lastSeenAt: at.toISOString(),
      timestamp: new Date().toISOString(),
    }
    publisher.emit([presenceRoom(userId), ...partners.map((p) => Room.user(p.userId))], 'user:status', event)
  }

  async function goOffline(userId: string) {
    pendingOffline.delete(userId)
    if ((sockets.get(userId) ?? 0) > 0) return
    const at = new Date()
    lastSeen.set(userId, at)
    await prisma.user.updateMany({ where: { id: userId }, data: { lastSeenAt: at } })
    await announce(userId, 'offline', at)
  }

  return {
    isOnline: (userId: string) => (sockets.get(userId) ?? 0) > 0 || pendingOffline.has(userId),

    async connected(userId: string): Promise<void> {
      const count = (sockets.get(userId) ?? 0) + 1
      sockets.set(userId, count)
      const pending = pendingOffline.get(userId)
      if (pending) {
        // Back within the grace period (a reload): nobody saw them leave.
        clearTimeout(pending)
        pendingOffline.delete(userId)
        return
      }
      if (count === 1) await announce(userId, 'online', new Date())
    },

    /** Returns true when this was the user's last socket here. */
    disconnected(userId: string, onOffline: (error: unknown) => void): boolean {
      const count = (sockets.get(userId) ?? 1) - 1
      if (count > 0) {
        sockets.set(userId, count)
        return false
      }
      sockets.delete(userId)
      const timer = setTimeout(() => goOffline(userId).catch(onOffline), graceMs)
      timer.unref()
      pendingOffline.set(userId, timer)
      return true
    },

    /** Statuses of the given users (of the viewer's event), from memory and the stored lastSeenAt. */
    async statuses(eventId: string, userIds: string[]): Promise<UserStatusEvent[]> {
      const users = await prisma.user.findMany({
        where: { id: { in: userIds }, eventId },
        select: { id: true, lastSeenAt: true },
      })
      const now = new Date().toISOString()
      return users.map((u) => {
        const online = (sockets.get(u.id) ?? 0) > 0 || pendingOffline.has(u.id)
        return {
          userId: u.id,
          status: online ? 'online' : 'offline',
          lastSeenAt: (lastSeen.get(u.id) ?? u.lastSeenAt).toISOString(),
          timestamp: now,
        }
      })
    },

    close() {
      for (const timer of pendingOffline.values()) clearTimeout(timer)
      pendingOffline.clear()
    },
  }
}

export type PresenceService = ReturnType<typeof createPresenceService>
