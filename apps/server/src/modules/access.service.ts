import type { PrismaClient } from '../db/prisma.ts'
import { type Viewer, visibleConversation } from './access.ts'

/** Membership checks for socket events (typing, join), which only need a yes. */
export function createAccessService(prisma: PrismaClient) {
  return {
    async assertMember(viewer: Viewer, conversationId: string): Promise<void> {
      await visibleConversation(prisma, viewer, conversationId)
    },
  }
}

export type AccessService = ReturnType<typeof createAccessService>
