// The app shell's service worker: the SPA opens with no network, so a guest who reloads offline gets the
// cached chat and keeps the outbox (protocol §6). The build (sw/plugin.ts) fills in the files and the version.
// API, socket and docs requests are never touched: they go to the network as if this worker did not exist.

const VERSION = '__VERSION__'
const SHELL_FILES = __SHELL_FILES__
const CACHE = `secura-shell-${VERSION}`
const SERVER_PATHS = /^\/(api|docs|socket\.io|healthz|readyz|metrics)(\/|$)/

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('secura-shell-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== self.location.origin || SERVER_PATHS.test(url.pathname))
    return
  if (request.mode === 'navigate') {
    // Network first, so a deploy shows at once; the cached shell when there is no network.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match('/index.html', { ignoreVary: true }).then((r) => r ?? Response.error()),
      ),
    )
    return
  }
  // Built files have content hashes in their names: the cached copy is always right. The server's
  // responses vary by Origin (CORS), which the page's module requests send and the install did not.
  event.respondWith(caches.match(request, { ignoreVary: true }).then((cached) => cached ?? fetch(request)))
})

// Web Push (protocol §4.1): the server sends {title, body, url, tag} when the app is closed or the guest is
// away. One notification per conversation (tag); a click focuses an open tab on the message, or opens one.
self.addEventListener('push', (event) => {
  let data
  try {
    data = event.data ? event.data.json() : undefined
  } catch {
    data = undefined
  }
  if (!data || typeof data.title !== 'string') return
  const url = typeof data.url === 'string' && data.url.startsWith('/c/') ? data.url : '/'
  event.waitUntil(
    self.registration.showNotification(data.title, {
      body: typeof data.body === 'string' ? data.body : '',
      tag: typeof data.tag === 'string' ? data.tag : undefined,
      icon: '/favicon.svg',
      data: { url },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = new URL(event.notification.data?.url ?? '/', self.location.origin).href
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin)
      // navigate() works only on a tab this worker controls: otherwise a new tab on the message.
      if (open)
        return open
          .focus()
          .then((w) => (w ?? open).navigate(url))
          .catch(() => self.clients.openWindow(url))
      return self.clients.openWindow(url)
    }),
  )
})
