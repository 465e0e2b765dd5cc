import type { PrismaClient } from '../db/prisma.ts'
import { notFound } from '../errors.ts'
import type { Conversation, Member } from '../generated/prisma/client.ts'

export interface Viewer {
  id: string
  eventId: string
  role: 'guest' | 'moderator' | 'organizer'
}

/**
 * The conversation, if the viewer may see it: it is in their event and they are a member (every guest is
 * a member of the lobby). Anything else is NOT_FOUND, so existence is not revealed.
 */
export async function visibleConversation(
  prisma: PrismaClient,
  viewer: Viewer,
  conversationId: string,
): Promise<{ conversation: Conversation; member: Member }> {
  const member = await prisma.member.findUnique({
    where: { conversationId_userId: { conversationId, userId: viewer.id } },
    include: { conversation: true },
  })
  if (!member || member.conversation.eventId !== viewer.eventId) throw notFound('Conversation')
  const { conversation, ...rest } = member
  return { conversation, member: rest }
}

export const isStaff = (viewer: Viewer) => viewer.role === 'moderator' || viewer.role === 'organizer'
