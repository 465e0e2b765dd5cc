import { type PrismaClient, postgresRunnerOf } from '../../db/prisma.ts'
import type { Session, User } from '../../generated/prisma/client.ts'

/**
 * The session with this token hash and its user, or null. Every REST request and socket handshake runs
 * it, so on Postgres it is one plain SQL join through pg rather than a Prisma query (whose per-query
 * overhead showed in the profile of the history benchmark); PGlite keeps the Prisma query.
 */
export async function findSession(
  prisma: PrismaClient,
  tokenHash: string,
): Promise<(Session & { user: User }) | null> {
  const runner = postgresRunnerOf(prisma)
  if (!runner) return prisma.session.findUnique({ where: { tokenHash }, include: { user: true } })
  const [row] = await runner.query<Session & Omit<User, 'id' | 'createdAt'> & { userCreatedAt: Date }>(
    `SELECT s.id, s."userId", s."tokenHash", s."createdAt", s."expiresAt", s."revokedAt", s."invitationId",
            u."eventId", u."displayName", u.role::text AS role, u."createdAt" AS "userCreatedAt", u."lastSeenAt",
            u."mutedUntil", u."muteReason", u."removedAt", u."quietStart", u."quietEnd", u."quietTimeZone"
     FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s."tokenHash" = $1`,
    [tokenHash],
    'session.by-token',
  )
  if (!row) return null
  const {
    eventId,
    displayName,
    role,
    userCreatedAt,
    lastSeenAt,
    mutedUntil,
    muteReason,
    removedAt,
    quietStart,
    quietEnd,
    quietTimeZone,
    ...session
  } = row
  return {
    ...session,
    user: {
      id: row.userId,
      eventId,
      displayName,
      role,
      createdAt: userCreatedAt,
      lastSeenAt,
      mutedUntil,
      muteReason,
      removedAt,
      quietStart,
      quietEnd,
      quietTimeZone,
    },
  }
}
