import type { Arrival } from './arrivals.ts'

/**
 * The Notification API exists only in a secure context (https, or localhost): on the venue's plain http it
 * is missing, and the app never offers it there. Permission is asked only from a click of the guest's.
 */
export function canAskToNotify(): boolean {
  return window.isSecureContext && 'Notification' in window && Notification.permission === 'default'
}

/** A system notification for a hidden tab; clicking it brings the tab back on that conversation. */
export function notifyHidden(arrival: Arrival & { title: string }, sender: string, open: () => void): void {
  if (!window.isSecureContext || !('Notification' in window) || Notification.permission !== 'granted') return
  const notification = new Notification(alertTitle(arrival, sender), {
    body: arrival.text,
    icon: '/favicon.svg',
    // One per conversation: a burst of messages replaces rather than stacks.
    tag: arrival.conversationId,
  })
  notification.onclick = () => {
    window.focus()
    open()
    notification.close()
  }
}

/** "Ana", "Ana mentioned you", "Ana mentioned you in Dinner crew". */
export function alertTitle(arrival: Arrival & { title: string }, sender: string): string {
  if (arrival.kind !== 'mention') return sender
  return arrival.title ? `${sender} mentioned you in ${arrival.title}` : `${sender} mentioned you`
}
