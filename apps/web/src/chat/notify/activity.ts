import type { ChatStorage } from '@secura/chat-client'

const INPUT_EVENTS = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const

/**
 * Tells the server the guest is here: input while the page is visible, or the page shown again. The
 * storage sends it at most once a minute; without it on every device the guest shows away.
 */
export function watchActivity(storage: Pick<ChatStorage, 'reportActivity'>): () => void {
  const onInput = () => {
    if (document.visibilityState === 'visible') storage.reportActivity()
  }
  for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { passive: true, capture: true })
  document.addEventListener('visibilitychange', onInput)
  return () => {
    for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true })
    document.removeEventListener('visibilitychange', onInput)
  }
}
