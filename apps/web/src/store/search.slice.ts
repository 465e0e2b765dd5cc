import type { SearchHit } from '@secura/shared'
import type { StateCreator } from 'zustand'
import { describeError } from '../api/http.ts'
import type { AppState } from './index.ts'

/** Message search in the sidebar: kept while the guest opens results, so Back finds them again. */
export interface MessageSearch {
  query: string
  /** The query the hits answer (the box may already hold a newer one). */
  answered: string
  hits: SearchHit[]
  nextCursor: string | null
  status: 'idle' | 'loading' | 'done' | 'error'
  error: string | null
}

export const EMPTY_SEARCH: MessageSearch = {
  query: '',
  answered: '',
  hits: [],
  nextCursor: null,
  status: 'idle',
  error: null,
}

export interface SearchSlice {
  messageSearch: MessageSearch
  setSearchQuery: (query: string) => void
  /** Asks for the first page of the current query; an answer to an older query is dropped. */
  runSearch: () => Promise<void>
  /** Appends the next page of the answered query. */
  searchMore: () => Promise<void>
  clearSearch: () => void
}

export const createSearchSlice: StateCreator<AppState, [], [], SearchSlice> = (set, get) => {
  /** Bumped by every request and every clear: only the latest answer lands. */
  let generation = 0
  const patch = (change: Partial<MessageSearch>) =>
    set((s) => ({ messageSearch: { ...s.messageSearch, ...change } }))

  async function fetchPage(query: string, cursor: string | undefined) {
    const storage = get().chatStorage
    if (!storage) return
    const mine = ++generation
    patch({ status: 'loading', error: null })
    try {
      const page = await storage.searchMessages(query, cursor ? { cursor } : {})
      if (mine !== generation) return
      const hits = cursor ? [...get().messageSearch.hits, ...page.hits] : page.hits
      patch({ answered: query, hits, nextCursor: page.nextCursor, status: 'done' })
    } catch (error) {
      if (mine === generation) patch({ status: 'error', error: describeError(error) })
    }
  }

  return {
    messageSearch: EMPTY_SEARCH,
    setSearchQuery: (query) => {
      if (query.trim() === '') {
        generation++
        set({ messageSearch: { ...EMPTY_SEARCH, query } })
      } else patch({ query })
    },
    runSearch: () => {
      const query = get().messageSearch.query.trim()
      return query === '' ? Promise.resolve() : fetchPage(query, undefined)
    },
    searchMore: () => {
      const { answered, nextCursor } = get().messageSearch
      return nextCursor === null ? Promise.resolve() : fetchPage(answered, nextCursor)
    },
    clearSearch: () => {
      generation++
      set({ messageSearch: EMPTY_SEARCH })
    },
  }
}
