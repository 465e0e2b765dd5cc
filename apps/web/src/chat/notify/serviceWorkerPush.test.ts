import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

// The service worker's push and notificationclick handlers, run against a stand-in for its global scope.
const source = readFileSync(new URL('../../../sw/service-worker.js', import.meta.url), 'utf8')
  .replace("'__VERSION__'", "'test'")
  .replace('__SHELL_FILES__', '[]')

function worker(
  windows: { url: string; focus: () => Promise<unknown>; navigate: (u: string) => Promise<unknown> }[],
) {
  const handlers: Record<string, (event: unknown) => void> = {}
  const self = {
    location: { origin: 'https://chat.example.org' },
    addEventListener: (name: string, handler: (event: unknown) => void) => {
      handlers[name] = handler
    },
    registration: { showNotification: vi.fn(async () => undefined) },
    clients: { matchAll: vi.fn(async () => windows), openWindow: vi.fn(async () => null), claim: vi.fn() },
    skipWaiting: vi.fn(),
  }
  new Function('self', 'caches', 'fetch', source)(self, {}, () => undefined)
  const waited: Promise<unknown>[] = []
  const dispatch = (name: string, event: object) =>
    handlers[name]?.({ ...event, waitUntil: (p: Promise<unknown>) => waited.push(p) })
  return { self, dispatch, settled: () => Promise.all(waited) }
}

const payload = { title: 'Ana', body: 'Dinner at eight?', url: '/c/c1/m/m1', tag: 'c1' }

describe('service worker: Web Push', () => {
  it('shows the pushed message, one notification per conversation', async () => {
    const sw = worker([])
    sw.dispatch('push', { data: { json: () => payload } })
    await sw.settled()
    expect(sw.self.registration.showNotification).toHaveBeenCalledWith('Ana', {
      body: 'Dinner at eight?',
      tag: 'c1',
      icon: '/favicon.svg',
      data: { url: '/c/c1/m/m1' },
    })
  })

  it('ignores a push it cannot read, and never links outside the app', async () => {
    const sw = worker([])
    sw.dispatch('push', { data: { json: () => JSON.parse('not json') } })
    sw.dispatch('push', { data: { json: () => ({ ...payload, url: 'https://evil.example/' }) } })
    await sw.settled()
    expect(sw.self.registration.showNotification).toHaveBeenCalledTimes(1)
    expect(sw.self.registration.showNotification).toHaveBeenCalledWith(
      'Ana',
      expect.objectContaining({ data: { url: '/' } }),
    )
  })

  it('a click focuses an open tab on the message, or opens one', async () => {
    const navigate = vi.fn(async () => undefined)
    const tab = { url: 'https://chat.example.org/', focus: async () => tab, navigate }
    const open = worker([tab])
    const close = vi.fn()
    open.dispatch('notificationclick', { notification: { close, data: { url: '/c/c1/m/m1' } } })
    await open.settled()
    expect(close).toHaveBeenCalled()
    expect(navigate).toHaveBeenCalledWith('https://chat.example.org/c/c1/m/m1')

    const none = worker([])
    none.dispatch('notificationclick', { notification: { close, data: { url: '/c/c1/m/m1' } } })
    await none.settled()
    expect(none.self.clients.openWindow).toHaveBeenCalledWith('https://chat.example.org/c/c1/m/m1')
  })
})
