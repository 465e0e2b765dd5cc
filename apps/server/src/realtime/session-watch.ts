import type { FastifyBaseLogger } from 'fastify'
import type { ChatNamespace, ChatSocket } from './socket.ts'

/** How often this instance's sockets are checked against their session's expiry: well within a second. */
export const EXPIRY_SWEEP_MS = 250
/**
 * How often the sessions of this instance's sockets are read back from the database, in one query. Ends are
 * pushed to every instance when they happen (logout, revocation, event deletion); this catches a push lost
 * while Redis was away.
 */
export const SESSION_RECHECK_MS = 30_000

export interface SessionWatchDeps {
  chat: ChatNamespace
  log: FastifyBaseLogger
  /** Of these session ids, the ones still current (not revoked, not expired, not deleted). */
  currentSessions(ids: string[]): Promise<Set<string>>
}

/** True once the socket's session has expired: checked on every command, without a database read. */
export const sessionExpired = (socket: ChatSocket, now = Date.now()): boolean => socket.data.expiresAt <= now

/** Closes the socket of a session that ended; the client takes it as final and signs in again. */
export function endSocket(socket: ChatSocket): void {
  if (socket.connected) socket.disconnect(true)
}

/**
 * Ends sockets whose session ended on their own: a timer compares each local socket's cached expiry with the
 * clock (no database read), and a slower one re-reads all their sessions at once.
 */
export function watchSessions({ chat, log, currentSessions }: SessionWatchDeps): { close(): void } {
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const socket of chat.sockets.values()) if (sessionExpired(socket, now)) endSocket(socket)
  }, EXPIRY_SWEEP_MS)
  let rechecking = false
  const recheck = setInterval(async () => {
    if (rechecking || chat.sockets.size === 0) return
    rechecking = true
    try {
      const ids = [...new Set([...chat.sockets.values()].map((s) => s.data.sessionId))]
      const current = await currentSessions(ids)
      for (const socket of chat.sockets.values()) if (!current.has(socket.data.sessionId)) endSocket(socket)
    } catch (err) {
      // The database is away: sockets stay until it is back (their expiry is still enforced above).
      log.warn({ err }, 'session recheck failed')
    } finally {
      rechecking = false
    }
  }, SESSION_RECHECK_MS)
  sweep.unref()
  recheck.unref()
  return {
    close() {
      clearInterval(sweep)
      clearInterval(recheck)
    },
  }
}
