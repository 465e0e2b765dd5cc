import { useEffect } from 'react'

/** Names the page in the tab and for screen readers announcing navigation; `(3) …` counts what is unread. */
export function useDocumentTitle(title: string, unread = 0): void {
  useEffect(() => {
    const count = unread > 0 ? `(${unread > 99 ? '99+' : unread}) ` : ''
    document.title = count + (title ? `${title} · Secura Chat` : 'Secura Chat')
  }, [title, unread])
}
