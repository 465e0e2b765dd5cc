import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import { AppError } from '../../errors.ts'

/** The refusal of every chat write once the event has ended (protocol §3.4). */
export const eventEnded = (endsAt: Date | string) =>
  new AppError('FORBIDDEN', 'The event has ended', { ended: true, endsAt: new Date(endsAt).toISOString() })

/**
 * When a user may not write: muted, or their event ended. Over "User" u joined with its "Event" e; the send
 * statements fold it in (messages/store.ts), and the guard below reads it to say why.
 */
export const SILENCED_WHERE = `(u."mutedUntil" > now() OR e."endsAt" <= now())`

/**
 * The write guard of the chat: sending, reacting, editing, renaming and creating or changing conversations
 * are refused with FORBIDDEN once the user's event has ended (`details.ended`) or while the user is muted
 * (`details` saying until when and why, MutedDetails); nothing is written. One query, read at each write,
 * so a mute or an end takes effect at once on every socket of every instance.
 */
export function muteGuard(prisma: PrismaClient) {
  const query = rawQuery(prisma)
  /** `ifMuted: false`: only the end refuses (a muted guest may still change who is in their group). */
  return async function assertNotMuted(userId: string, { ifMuted = true } = {}): Promise<void> {
    const [row] = (await query(
      'moderation.muted',
      `SELECT u."mutedUntil", u."muteReason", e."endsAt", e."endsAt" <= now() AS ended
       FROM "User" u JOIN "Event" e ON e.id = u."eventId"
       WHERE u.id = $1::uuid AND ${SILENCED_WHERE}`,
      [userId],
    )) as {
      mutedUntil: Date | string | null
      muteReason: string | null
      endsAt: Date | string | null
      ended: boolean
    }[]
    if (!row) return
    if (row.ended && row.endsAt) throw eventEnded(row.endsAt)
    if (!ifMuted) return
    const until = new Date(row.mutedUntil!).toISOString()
    throw new AppError(
      'FORBIDDEN',
      `You are muted until ${until}${row.muteReason ? `: ${row.muteReason}` : ''}`,
      {
        muted: true,
        until,
        reason: row.muteReason,
      },
      // Clients hold what the guest writes and try again when the mute ends.
      Math.max(0, new Date(row.mutedUntil!).getTime() - Date.now()),
    )
  }
}

export type MuteGuard = ReturnType<typeof muteGuard>
