import { LIMITS } from '@secura/shared'
import { useEffect } from 'react'
import { useAppStore } from '../../store/index.ts'

const DEBOUNCE_MS = 300

/** The search box of the sidebar: asks as the guest types (debounced); Escape or × clears it. */
export function MessageSearchBox() {
  const query = useAppStore((s) => s.messageSearch.query)
  const setSearchQuery = useAppStore((s) => s.setSearchQuery)
  const runSearch = useAppStore((s) => s.runSearch)
  const clearSearch = useAppStore((s) => s.clearSearch)
  const answered = useAppStore((s) => s.messageSearch.answered)

  useEffect(() => {
    if (query.trim() === '' || query.trim() === answered) return
    const timer = window.setTimeout(() => void runSearch(), DEBOUNCE_MS)
    return () => window.clearTimeout(timer)
  }, [query, answered, runSearch])

  return (
    <search className="message-search">
      <input
        type="search"
        aria-label="Search messages"
        placeholder="Search messages"
        autoComplete="off"
        enterKeyHint="search"
        maxLength={LIMITS.searchChars}
        data-testid="message-search"
        value={query}
        onChange={(e) => setSearchQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') clearSearch()
          if (e.key === 'Enter') void runSearch()
        }}
      />
    </search>
  )
}
