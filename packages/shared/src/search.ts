import { type Static, Type } from 'typebox'
import { LIMITS } from './limits.ts'
import { ConversationKind, DateTime, Id, Nullable, Seq } from './primitives.ts'

/** Message search (protocol §4): the messages a guest can see, by their words. */

/** The words to look for: plain text, never query syntax (operators and quotes are only separators). */
export const SearchQueryText = Type.With(Type.String(), {
  minLength: 1,
  maxLength: LIMITS.searchChars,
  format: 'search',
})
/** Where the next page starts: the number of results already shown, as the previous page gave it. */
export const SearchCursor = Type.String({
  pattern: '^(0|[1-9][0-9]{0,5})$',
  description: `Opaque: nextCursor of the previous page`,
})
export const SearchQuery = Type.Object({
  q: SearchQueryText,
  conversationId: Type.Optional(Id),
  cursor: Type.Optional(SearchCursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.searchPageMax })),
})
export type SearchQuery = Static<typeof SearchQuery>

/**
 * A piece of a snippet: plain text, `match` when it is a word the query found. Rendered as text, never as
 * HTML: the client marks matches itself.
 */
export const SnippetSegment = Type.Object({ text: Type.String(), match: Type.Optional(Type.Literal(true)) })
export type SnippetSegment = Static<typeof SnippetSegment>

export const SearchHit = Type.Object(
  {
    messageId: Id,
    conversationId: Id,
    conversationKind: ConversationKind,
    /** The lobby's (the event's name) or the group's title; null for a direct conversation, which the client names. */
    conversationTitle: Nullable(Type.String()),
    seq: Seq,
    senderId: Id,
    senderName: Type.String(),
    timestamp: DateTime,
    editedAt: Nullable(DateTime),
    /** Part of the message around the first match, matches marked; "…" where text was left out. */
    snippet: Type.Array(SnippetSegment),
  },
  { $id: 'SearchHit' },
)
export type SearchHit = Static<typeof SearchHit>

export const SearchResults = Type.Object({
  hits: Type.Array(SearchHit),
  /** Pass as `cursor` for the next page; null when there is none. */
  nextCursor: Nullable(SearchCursor),
})
export type SearchResults = Static<typeof SearchResults>
