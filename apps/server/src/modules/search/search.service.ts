import type { Limits, SearchHit, SearchResults } from '@secura/shared'
import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import { validation } from '../../errors.ts'
import { type Viewer, visibleConversation } from '../access.ts'
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

/**
 * The messages the viewer can see that hold every word: in a conversation they are a member of (every guest
 * is a member of the lobby), of their event, not deleted. The expression matches the GIN index of the
 * migration message_search word for word, or the planner cannot use it. Best first (ts_rank), then newest.
 * An edit changes `content`, so the index follows it; a deletion clears it and sets deletedAt.
 */
const SEARCH = `SELECT m.id, m."conversationId", m.seq, m."senderId", m.content, m."createdAt", m."editedAt",
         u."displayName" AS "senderName", cv.kind::text AS kind, cv.title
       FROM "Message" m
       JOIN "Member" mb ON mb."conversationId" = m."conversationId" AND mb."userId" = $1::uuid
       JOIN "Conversation" cv ON cv.id = m."conversationId" AND cv."eventId" = $2::uuid
       JOIN "User" u ON u.id = m."senderId"
       CROSS JOIN to_tsquery('simple'::regconfig, $3::text) AS q
       WHERE to_tsvector('simple'::regconfig, m.content) @@ q
         AND m."deletedAt" IS NULL
         AND ($4::uuid IS NULL OR m."conversationId" = $4::uuid)
       ORDER BY ts_rank(to_tsvector('simple'::regconfig, m.content), q) DESC, m."createdAt" DESC, m.id DESC
       LIMIT $5::int OFFSET $6::int`

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
      // Only separators (punctuation, operators): nothing to look for, nothing found.
      if (terms.words.length === 0) return { hits: [], nextCursor: null }
      const rows = await query<HitRow>('search.messages', SEARCH, [
        viewer.id,
        viewer.eventId,
        toTsquery(terms),
        options.conversationId ?? null,
        take + 1,
        offset,
      ])
      // Nothing in a conversation named: an empty one, or one the viewer may not see (NOT_FOUND, as history).
      if (rows.length === 0 && options.conversationId)
        await visibleConversation(prisma, viewer, options.conversationId)
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
