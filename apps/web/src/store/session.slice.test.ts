import 'fake-indexeddb/auto'
import { chatDbName, openChatDb } from '@secura/chat-client'
import type { Event, User } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { authApi } from '../api/auth.ts'
import { ApiError } from '../api/http.ts'
import { useAppStore } from './index.ts'

const user: User = {
  id: '0190a6c4-1f2e-7000-8000-000000000002',
  eventId: '0190a6c4-1f2e-7000-8000-000000000001',
  displayName: 'Ana',
  role: 'guest',
  createdAt: '2024-06-01T12:00:00.000Z',
  lastSeenAt: '2024-06-01T12:00:00.000Z',
}
const event: Event = {
  id: user.eventId,
  name: 'Gala',
  startsAt: null,
  endsAt: null,
  createdAt: '2024-06-01T12:00:00.000Z',
}
const offline = () => new ApiError('NETWORK', 0, 'Cannot reach the server')

/** The browser bits the session slice uses: localStorage and the window's online event. */
function fakeWindow() {
  const items = new Map<string, string>()
  const online = new Set<() => void>()
  return {
    localStorage: {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    },
    addEventListener: (type: string, listener: () => void) => {
      if (type === 'online') online.add(listener)
    },
    goOnline: () => {
      for (const listener of [...online]) listener()
      online.clear()
    },
  }
}

describe('session: opening offline on the last known session', () => {
  let win: ReturnType<typeof fakeWindow>
  beforeEach(() => {
    win = fakeWindow()
    vi.stubGlobal('window', win)
    useAppStore.setState({ session: { status: 'loading' } })
  })
  afterEach(() => {
    vi.restoreAllMocks()
    vi.unstubAllGlobals()
  })

  it('offline with a known session: signed in from the cache, checked again when the network is back', async () => {
    vi.spyOn(authApi, 'me').mockResolvedValueOnce({ user, event })
    await useAppStore.getState().loadSession()
    expect(useAppStore.getState().session).toEqual({ status: 'signed-in', user, event })

    const me = vi.spyOn(authApi, 'me').mockRejectedValueOnce(offline())
    await useAppStore.getState().loadSession()
    expect(useAppStore.getState().session).toEqual({ status: 'signed-in', user, event })

    // Back online, the server says the session is over: signed out, and the cache forgotten.
    me.mockRejectedValueOnce(new ApiError('UNAUTHORIZED', 401, 'Sign in'))
    win.goOnline()
    await vi.waitFor(() => expect(useAppStore.getState().session).toEqual({ status: 'signed-out' }))
    me.mockRejectedValueOnce(offline())
    await useAppStore.getState().loadSession()
    expect(useAppStore.getState().session.status).toBe('unreachable')
  })

  it('offline with no known session: unreachable; a server error is never taken for offline', async () => {
    vi.spyOn(authApi, 'me').mockRejectedValueOnce(offline())
    await useAppStore.getState().loadSession()
    expect(useAppStore.getState().session.status).toBe('unreachable')

    useAppStore.getState().setSignedIn(user, event)
    vi.spyOn(authApi, 'me').mockRejectedValueOnce(new ApiError('INTERNAL', 500, 'Boom'))
    await useAppStore.getState().loadSession()
    expect(useAppStore.getState().session.status).toBe('unreachable')
  })

  it('signing out erases the chat this device kept for the user (cache and outbox)', async () => {
    const name = chatDbName(user)
    const db = await openChatDb(name)
    db.close()
    expect((await indexedDB.databases()).map((d) => d.name)).toContain(name)
    useAppStore.getState().setSignedIn(user, event)
    vi.spyOn(authApi, 'logout').mockResolvedValueOnce(undefined)
    await useAppStore.getState().signOut()
    await vi.waitFor(async () => expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name))
  })

  it('signing out forgets the cached session', async () => {
    useAppStore.getState().setSignedIn(user, event)
    vi.spyOn(authApi, 'logout').mockResolvedValueOnce(undefined)
    await useAppStore.getState().signOut()
    vi.spyOn(authApi, 'me').mockRejectedValueOnce(offline())
    await useAppStore.getState().loadSession()
    expect(useAppStore.getState().session.status).toBe('unreachable')
  })
})
