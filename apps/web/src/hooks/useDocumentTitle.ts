import { useEffect } from 'react'

/** Names the page in the tab and for screen readers announcing navigation. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Secura Chat` : 'Secura Chat'
  }, [title])
}
