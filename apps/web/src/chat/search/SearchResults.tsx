import type { SearchHit } from '@secura/shared'
import { conversationPath, navigate } from '../../router.ts'
import { useAppStore } from '../../store/index.ts'
import { conversationTitle, useMe } from '../names.ts'
import { formatActivity, formatFull } from '../time.ts'
import { rememberLinkTarget } from './linkTargets.ts'

/** The answer to the sidebar's search: each hit names its conversation, sender and time, its words marked. */
export function SearchResults() {
  const me = useMe()
  const search = useAppStore((s) => s.messageSearch)
  const conversations = useAppStore((s) => s.chat.conversations)
  const searchMore = useAppStore((s) => s.searchMore)

  const nameOf = (hit: SearchHit) => {
    const summary = conversations.find((c) => c.id === hit.conversationId)
    if (summary) return conversationTitle(summary, me.id)
    return hit.conversationTitle ?? (hit.conversationKind === 'direct' ? 'Direct message' : 'Lobby')
  }
  const open = (hit: SearchHit) => {
    rememberLinkTarget(hit.messageId, hit.seq)
    navigate(conversationPath(hit.conversationId, hit.messageId))
  }

  const waiting = search.status === 'loading' && search.hits.length === 0
  return (
    <section className="search-results" aria-label="Search results" data-testid="search-results">
      {search.error && (
        <p className="search-results-note" role="alert">
          {search.error}
        </p>
      )}
      {waiting && <p className="search-results-note muted">Searching…</p>}
      {search.status === 'done' && search.hits.length === 0 && (
        <p className="search-results-note muted" role="status">
          No messages found for “{search.answered}”.
        </p>
      )}
      <ul className="conversation-list">
        {search.hits.map((hit) => (
          <li key={hit.messageId}>
            <button
              type="button"
              className="conversation-item search-hit"
              data-testid="search-hit"
              data-hit-id={hit.messageId}
              onClick={() => open(hit)}
            >
              <span className="conversation-item-body">
                <span className="conversation-item-line">
                  <span className="conversation-item-title">{nameOf(hit)}</span>
                  <time
                    className="conversation-item-time"
                    dateTime={hit.timestamp}
                    title={formatFull(hit.timestamp)}
                  >
                    {formatActivity(hit.timestamp)}
                  </time>
                </span>
                <span className="search-hit-sender">{hit.senderId === me.id ? 'You' : hit.senderName}</span>
                <span className="search-hit-snippet">
                  {hit.snippet.map((part, i) =>
                    part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
                  )}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {search.nextCursor !== null && (
        <button
          type="button"
          className="button button-secondary button-small search-more"
          disabled={search.status === 'loading'}
          onClick={() => void searchMore()}
        >
          {search.status === 'loading' ? 'Loading…' : 'More results'}
        </button>
      )}
    </section>
  )
}
