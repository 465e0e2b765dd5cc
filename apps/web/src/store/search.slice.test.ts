import type { ChatStorage } from '@secura/chat-client'
import type { SearchHit, SearchResults } from '@secura/shared'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../api/http.ts'
import { useAppStore } from './index.ts'
import { EMPTY_SEARCH } from './search.slice.ts'

const hit = (messageId: string): SearchHit => ({
  messageId,
  conversationId: '0190a6c4-1f2e-7000-8000-000000000001',
  conversationKind: 'event',
  conversationTitle: 'Gala',
  seq: 1,
  senderId: '0190a6c4-1f2e-7000-8000-000000000002',
  senderName: 'Ana',
  timestamp: '2024-06-01T12:00:00.000Z',
  editedAt: null,
  snippet: [{ text: messageId, match: true }],
})

/** A storage whose searches the test answers by hand, in any order. */
function storageAnsweredByHand() {
  const pending: {
    query: string
    cursor?: string
    answer(r: SearchResults): void
    fail(e: unknown): void
  }[] = []
  const storage = {
    searchMessages: (query: string, options: { cursor?: string } = {}) =>
      new Promise<SearchResults>((answer, fail) => pending.push({ query, ...options, answer, fail })),
  } as unknown as ChatStorage
  return { storage, pending }
}

afterEach(() => useAppStore.setState({ chatStorage: null, messageSearch: EMPTY_SEARCH }))

describe('message search in the store', () => {
  it('shows only the answer to the latest query, whatever order the answers arrive in', async () => {
    const { storage, pending } = storageAnsweredByHand()
    useAppStore.setState({ chatStorage: storage })
    const { setSearchQuery, runSearch } = useAppStore.getState()
    setSearchQuery('lig')
    const first = runSearch()
    setSearchQuery('lighthouse')
    const second = runSearch()
    pending[1]!.answer({ hits: [hit('new')], nextCursor: null })
    pending[0]!.answer({ hits: [hit('old')], nextCursor: null })
    await Promise.all([first, second])
    const state = useAppStore.getState().messageSearch
    expect(state.answered).toBe('lighthouse')
    expect(state.hits.map((h) => h.messageId)).toEqual(['new'])
    expect(state.status).toBe('done')
  })

  it('appends the next page from the cursor, and clearing drops an answer still on its way', async () => {
    const { storage, pending } = storageAnsweredByHand()
    useAppStore.setState({ chatStorage: storage })
    const { setSearchQuery, runSearch, searchMore, clearSearch } = useAppStore.getState()
    setSearchQuery('penguin')
    const first = runSearch()
    pending[0]!.answer({ hits: [hit('a'), hit('b')], nextCursor: '2' })
    await first
    const more = searchMore()
    expect(pending[1]).toMatchObject({ query: 'penguin', cursor: '2' })
    pending[1]!.answer({ hits: [hit('c')], nextCursor: null })
    await more
    expect(useAppStore.getState().messageSearch.hits.map((h) => h.messageId)).toEqual(['a', 'b', 'c'])

    const late = runSearch()
    clearSearch()
    pending[2]!.answer({ hits: [hit('late')], nextCursor: null })
    await late
    expect(useAppStore.getState().messageSearch).toEqual(EMPTY_SEARCH)
  })

  it('says why a search failed', async () => {
    const { storage, pending } = storageAnsweredByHand()
    useAppStore.setState({ chatStorage: storage })
    useAppStore.getState().setSearchQuery('x')
    const run = useAppStore.getState().runSearch()
    pending[0]!.fail(
      new ApiError('NETWORK', 0, 'Cannot reach the server. Check your connection and try again.'),
    )
    await run
    expect(useAppStore.getState().messageSearch).toMatchObject({
      status: 'error',
      error: 'Cannot reach the server. Check your connection and try again.',
    })
  })
})
