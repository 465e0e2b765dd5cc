import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import { AppError } from '../../errors.ts'

/**
 * The write guard of a muted guest: sending, reacting, editing and creating conversations are refused with
 * FORBIDDEN, the `details` saying until when and why (MutedDetails), and nothing is written. Read from the
 * database at each write, so a mute takes effect at once on every socket of every instance.
 */
export function muteGuard(prisma: PrismaClient) {
  const query = rawQuery(prisma)
  return async function assertNotMuted(userId: string): Promise<void> {
    const [row] = (await query(
      'moderation.muted',
      `SELECT "mutedUntil", "muteReason" FROM "User" WHERE id = $1::uuid AND "mutedUntil" > now()`,
      [userId],
    )) as { mutedUntil: Date | string; muteReason: string | null }[]
    if (!row) return
    const until = new Date(row.mutedUntil).toISOString()
    throw new AppError(
      'FORBIDDEN',
      `You are muted until ${until}${row.muteReason ? `: ${row.muteReason}` : ''}`,
      {
        muted: true,
        until,
        reason: row.muteReason,
      },
      // Clients hold what the guest writes and try again when the mute ends.
      Math.max(0, new Date(row.mutedUntil).getTime() - Date.now()),
    )
  }
}

export type MuteGuard = ReturnType<typeof muteGuard>
