/**
 * Who is connected, and which users are shown online. The presence service owns the rules (grace period,
 * who is told); a store only answers atomically, so that each change is announced once however many
 * instances see it. In this process's memory for one instance; in Redis for several (cluster/).
 */
export interface PresenceStore {
  /** A socket of the user connected here. True when this made the user online (announce it). */
  connected(userId: string): Promise<boolean>
  /** A socket of the user went away here. True when the user has no socket anywhere now (offline after the grace). */
  disconnected(userId: string): Promise<boolean>
  /** Called after the grace period. True when this call took the user offline (announce it, once). */
  settle(userId: string): Promise<boolean>
  /** Which of these users are shown online (connected, or within the grace after their last socket closed). */
  online(userIds: string[]): Promise<Set<string>>
  /** Sockets the user holds open, on every instance. */
  socketCount(userId: string): Promise<number>
  /** How many users are shown online. */
  onlineCount(): Promise<number>
  /**
   * The user did something (input in a visible tab, a new socket) at `at` (ms). True when this brought the
   * user back from away (announce online, once).
   */
  active(userId: string, at: number): Promise<boolean>
  /** Users shown online, not away, whose last activity is before `before` (ms): marked away now, each once. */
  idleSince(before: number): Promise<string[]>
  /** Which of these users are away (shown online, but idle on every device). */
  away(userIds: string[]): Promise<Set<string>>
  /** Users taken offline by the store itself (a crashed instance's users, a grace that expired elsewhere). */
  onOffline(listener: (userIds: string[]) => void): void
  /** Users shown online again by the store itself (its contents were restored after a Redis restart). */
  onOnline(listener: (userIds: string[]) => void): void
  close(): Promise<void>
}

/** One instance: everything in memory. */
export function memoryPresenceStore(): PresenceStore {
  const sockets = new Map<string, number>()
  const shownOnline = new Set<string>()
  const lastActive = new Map<string, number>()
  const away = new Set<string>()
  return {
    // Synchronous until the returned promise: a socket counts from the moment it connects.
    async connected(userId) {
      sockets.set(userId, (sockets.get(userId) ?? 0) + 1)
      if (shownOnline.has(userId)) return false
      shownOnline.add(userId)
      return true
    },
    async disconnected(userId) {
      const count = (sockets.get(userId) ?? 1) - 1
      if (count > 0) {
        sockets.set(userId, count)
        return false
      }
      sockets.delete(userId)
      return true
    },
    async settle(userId) {
      if ((sockets.get(userId) ?? 0) > 0) return false
      lastActive.delete(userId)
      away.delete(userId)
      return shownOnline.delete(userId)
    },
    async active(userId, at) {
      lastActive.set(userId, Math.max(at, lastActive.get(userId) ?? 0))
      return away.delete(userId)
    },
    async idleSince(before) {
      const idle: string[] = []
      for (const [userId, at] of lastActive) {
        if (at >= before || away.has(userId)) continue
        if (!shownOnline.has(userId)) {
          lastActive.delete(userId)
          continue
        }
        away.add(userId)
        idle.push(userId)
      }
      return idle
    },
    async away(userIds) {
      return new Set(userIds.filter((id) => away.has(id)))
    },
    async online(userIds) {
      return new Set(userIds.filter((id) => shownOnline.has(id)))
    },
    async socketCount(userId) {
      return sockets.get(userId) ?? 0
    },
    async onlineCount() {
      return shownOnline.size
    },
    onOffline() {},
    onOnline() {},
    async close() {},
  }
}
