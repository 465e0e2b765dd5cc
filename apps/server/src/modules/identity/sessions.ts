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
): Promise<(Session & { user: User; eventEndsAt: Date | null }) | null> {
  const runner = postgresRunnerOf(prisma)
  if (!runner) {
    const found = await prisma.session.findUnique({
      where: { tokenHash },
      include: { user: { include: { event: { select: { endsAt: true } } } } },
    })
    if (!found) return null
    const {
      user: { event, ...user },
      ...session
    } = found
    return { ...session, user, eventEndsAt: event.endsAt }
  }
  const [row] = await runner.query<
    Session & Omit<User, 'id' | 'createdAt'> & { userCreatedAt: Date; eventEndsAt: Date | null }
  >(
    `SELECT s.id, s."userId", s."tokenHash", s."createdAt", s."expiresAt", s."revokedAt", s."invitationId",
            u."eventId", u."displayName", u.role::text AS role, u."createdAt" AS "userCreatedAt", u."lastSeenAt",
            u."mutedUntil", u."muteReason", u."removedAt", u."quietStart", u."quietEnd", u."quietTimeZone",
            e."endsAt" AS "eventEndsAt"
     FROM "Session" s JOIN "User" u ON u.id = s."userId" JOIN "Event" e ON e.id = u."eventId"
     WHERE s."tokenHash" = $1`,
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
    eventEndsAt,
    quietStart,
    quietEnd,
    quietTimeZone,
    ...session
  } = row
  return {
    ...session,
    eventEndsAt,
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
