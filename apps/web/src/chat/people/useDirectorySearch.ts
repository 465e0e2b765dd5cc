import type { DirectoryUser } from '@secura/shared'
import { useEffect, useState } from 'react'
import { describeError } from '../../api/http.ts'
import { chatClient, useAppStore } from '../../store/index.ts'

const DEBOUNCE_MS = 250

export interface DirectorySearch {
  /** Null until the first answer. */
  users: DirectoryUser[] | null
  error: string | null
}

/** The event's directory filtered by name as the guest types, with live presence for the people shown. */
export function useDirectorySearch(query: string): DirectorySearch {
  const searchUsers = useAppStore((s) => s.searchUsers)
  const [result, setResult] = useState<DirectorySearch>({ users: null, error: null })

  useEffect(() => {
    let current = true
    const timer = window.setTimeout(
      () => {
        searchUsers(query.trim()).then(
          (users) => {
            if (!current) return
            setResult({ users, error: null })
            chatClient()
              .watchPresence(users.map((u) => u.id))
              .catch(() => undefined)
          },
          (error: unknown) => {
            if (current)
              setResult((previous) => ({ users: previous.users ?? [], error: describeError(error) }))
          },
        )
      },
      query ? DEBOUNCE_MS : 0,
    )
    return () => {
      current = false
      window.clearTimeout(timer)
    }
  }, [query, searchUsers])

  // The directory view is gone: stop watching the people it showed.
  useEffect(
    () => () =>
      void chatClient()
        .watchPresence([])
        .catch(() => undefined),
    [],
  )
  return result
}
