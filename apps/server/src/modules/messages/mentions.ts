import type { PrismaClient } from '../../db/prisma.ts'
import { forbidden, validation } from '../../errors.ts'
import { type Viewer, visibleConversation } from '../access.ts'

/** What a message mentions, checked: the ids (distinct, without the sender) and `@here`. */
export interface Mentions {
  ids: string[]
  here: boolean
}

export const NO_MENTIONS: Mentions = { ids: [], here: false }

/**
 * Checks a send's mentions before it is written. Only a message that mentions anyone pays for this: each
 * id must be a member of the conversation (so a mention never reaches someone who cannot read it), and
 * `@here` is for organizers in the event lobby. A conversation the sender cannot see is NOT_FOUND, as the
 * send itself would answer.
 */
export async function checkMentions(
  prisma: PrismaClient,
  viewer: Viewer,
  conversationId: string,
  mentions: string[] | undefined,
  here: boolean | undefined,
): Promise<Mentions> {
  const ids = [...new Set((mentions ?? []).map((id) => id.toLowerCase()))].filter((id) => id !== viewer.id)
  if (ids.length === 0 && !here) return NO_MENTIONS
  const { conversation } = await visibleConversation(prisma, viewer, conversationId)
  if (here) {
    if (conversation.kind !== 'event') throw validation('@here is only for the event lobby')
    if (viewer.role !== 'organizer') throw forbidden('Only organizers can mention @here')
  }
  if (ids.length > 0) {
    const members = await prisma.member.count({ where: { conversationId, userId: { in: ids } } })
    if (members !== ids.length) {
      throw validation('Only people who can see the conversation can be mentioned', { field: 'mentions' })
    }
  }
  return { ids, here: here === true }
}
