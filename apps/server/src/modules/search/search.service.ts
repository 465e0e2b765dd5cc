import type { Limits, SearchHit, SearchResults } from '@secura/shared'
import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import { validation } from '../../errors.ts'
import { type Viewer, visibleConversation } from '../access.ts'
import { SEARCH_CANDIDATES, SEARCH_MESSAGES, SEARCHABLE_CONVERSATIONS } from './statement.ts'
import { searchTerms, snippet, toTsquery } from './terms.ts'

interface HitRow {
  id: string
  conversationId: string
  seq: number
  senderId: string
  content: string
  createdAt: Date
  editedAt: Date | null
  senderName: string
  kind: SearchHit['conversationKind']
  title: string | null
}

export interface SearchOptions {
  conversationId?: string | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

export function createSearchService({ prisma, limits }: { prisma: PrismaClient; limits: Limits }) {
  const query = rawQuery(prisma)
  return {
    async search(viewer: Viewer, text: string, options: SearchOptions = {}): Promise<SearchResults> {
      const offset = options.cursor === undefined ? 0 : Number(options.cursor)
      if (offset > limits.searchDepth)
        throw validation(`Search pages end after ${limits.searchDepth} results`)
      const take = Math.min(options.limit ?? limits.searchPageDefault, limits.searchPageMax)
      const terms = searchTerms(text, limits.searchTerms)
      const conversations = (
        await query<{ id: string }>('search.conversations', SEARCHABLE_CONVERSATIONS, [
          viewer.id,
          viewer.eventId,
          options.conversationId ?? null,
        ])
      ).map((c) => c.id)
      // None: the conversation named is one the viewer may not see (NOT_FOUND, as history).
      if (conversations.length === 0 && options.conversationId)
        await visibleConversation(prisma, viewer, options.conversationId)
      // Only separators (punctuation, operators): nothing to look for, nothing found.
      if (conversations.length === 0 || terms.words.length === 0) return { hits: [], nextCursor: null }
      // Planned for these words and conversations (statement.ts): never a prepared statement's generic plan.
      const rows = await query<HitRow>(null, SEARCH_MESSAGES, [
        conversations,
        toTsquery(terms),
        take + 1,
        offset,
        Math.max(SEARCH_CANDIDATES, limits.searchDepth + limits.searchPageMax + 1),
      ])
      const more = rows.length > take && offset + take < limits.searchDepth
      return {
        hits: rows.slice(0, take).map((row) => ({
          messageId: row.id,
          conversationId: row.conversationId,
          conversationKind: row.kind,
          conversationTitle: row.title,
          seq: Number(row.seq),
          senderId: row.senderId,
          senderName: row.senderName,
          timestamp: new Date(row.createdAt).toISOString(),
          editedAt: row.editedAt ? new Date(row.editedAt).toISOString() : null,
          snippet: snippet(row.content, terms),
        })),
        nextCursor: more ? String(offset + take) : null,
      }
    },
  }
}

export type SearchService = ReturnType<typeof createSearchService>
