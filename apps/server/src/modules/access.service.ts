import { type PrismaClient, rawQuery } from '../db/prisma.ts'
import { notFound } from '../errors.ts'
import type { Viewer } from './access.ts'

/**
 * Membership checks for socket events (typing, join), which only need a yes: one plain statement (typing
 * indicators are among the most frequent events), with the rule of visibleConversation — a member, and the
 * conversation in the viewer's event; anything else is NOT_FOUND.
 */
export function createAccessService(prisma: PrismaClient) {
  const query = rawQuery(prisma)
  return {
    async assertMember(viewer: Viewer, conversationId: string): Promise<void> {
      const rows = await query(
        'access.member',
        `SELECT 1 AS yes FROM "Member" mb JOIN "Conversation" cv ON cv.id = mb."conversationId"
         WHERE mb."conversationId" = $1::uuid AND mb."userId" = $2::uuid AND cv."eventId" = $3::uuid`,
        [conversationId, viewer.id, viewer.eventId],
      )
      if (rows.length === 0) throw notFound('Conversation')
    },
  }
}

export type AccessService = ReturnType<typeof createAccessService>
