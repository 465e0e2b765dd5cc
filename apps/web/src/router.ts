import { useSyncExternalStore } from 'react'

/** Every page of the app, as the URL names it. */
export type Route =
  /** The chat; with a conversation (`/c/:id`) and a message in it (`/c/:id/m/:messageId`) when linked. */
  | { name: 'home'; conversationId?: string; messageId?: string }
  | { name: 'join'; code: string }
  | { name: 'admin' }
  | { name: 'not-found'; path: string }

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/') return { name: 'home' }
  if (path === '/admin') return { name: 'admin' }
  const chat = /^\/c\/([^/]+)(?:\/m\/([^/]+))?$/.exec(path)
  if (chat?.[1]) {
    const conversationId = safeDecode(chat[1])
    return chat[2]
      ? { name: 'home', conversationId, messageId: safeDecode(chat[2]) }
      : { name: 'home', conversationId }
  }
  const join = /^\/join\/([^/]+)$/.exec(path)
  if (join?.[1]) return { name: 'join', code: safeDecode(join[1]) }
  return { name: 'not-found', path }
}

const safeDecode = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

const listeners = new Set<() => void>()

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (listeners.size === 1) window.addEventListener('popstate', notify)
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) window.removeEventListener('popstate', notify)
  }
}

function notify(): void {
  for (const listener of listeners) listener()
}

/** Moves to an in-app path without reloading; `replace` keeps it out of the back history. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return
  if (options.replace) window.history.replaceState(null, '', path)
  else window.history.pushState(null, '', path)
  notify()
}

const currentPath = () => window.location.pathname

let cached: { path: string; route: Route } | undefined

function routeOf(path: string): Route {
  if (cached?.path !== path) cached = { path, route: matchRoute(path) }
  return cached.route
}

/** The current route; re-renders on navigate() and on back/forward. */
export function useRoute(): Route {
  return routeOf(useSyncExternalStore(subscribe, currentPath))
}
/** The current route, read outside rendering (in an effect). */
useRoute.peek = (): Route => routeOf(currentPath())

/** The address of a conversation, or of one message in it. */
export const conversationPath = (conversationId: string, messageId?: string) =>
  `/c/${encodeURIComponent(conversationId)}${messageId ? `/m/${encodeURIComponent(messageId)}` : ''}`
