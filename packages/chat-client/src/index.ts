import { deleteDB } from 'idb'
import { type ChatDb, chatDbName } from './db.ts'
import { ChatEngine } from './engine.ts'
import type { LockManagerLike } from './lock.ts'
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts'
import { createRuntime, defaultTiming, type NetworkStatus, type Timing } from './runtime.ts'
import { ChatState } from './state.ts'
import type { ChatTransport } from './transport.ts'
import type { ChatStorage } from './types.ts'

export interface ChatStorageOptions {
  me: { id: string; eventId: string }
  /** Socket and HTTP: createSocketIoTransport, or a scripted one in tests. */
  transport: ChatTransport
  /** A database name (default: one per user and event) or an open database. */
  db?: string | ChatDb
  /** The Web Locks API; null uses the IndexedDB lease instead. Default: navigator.locks when present. */
  locks?: LockManagerLike | null
  /** Default: navigator.onLine and the window's online/offline events. */
  network?: NetworkStatus
  timing?: Partial<Timing>
  retry?: Partial<RetryPolicy>
  /** Errors of background work (sync, cache writes); default: console.warn, network errors left out. */
  onError?: (error: unknown) => void
}

/** The storage module of protocol §6: cache first, socket → HTTP, an IndexedDB outbox that loses nothing. */
export function createChatStorage(options: ChatStorageOptions): ChatStorage {
  const state = new ChatState()
  const boot = () =>
    createRuntime(
      {
        me: options.me,
        transport: options.transport,
        ...(options.db !== undefined && { db: options.db }),
        ...(options.locks !== undefined && { locks: options.locks }),
        network: options.network ?? browserNetwork(),
        timing: { ...defaultTiming, ...options.timing },
        retry: { ...defaultRetryPolicy, ...options.retry },
        report: options.onError ?? warn,
      },
      state,
    )
  return new ChatEngine(boot, state)
}

function warn(error: unknown) {
  if (error instanceof Error && 'code' in error && error.code === 'NETWORK') return
  console.warn('[chat storage]', error)
}

function browserNetwork(): NetworkStatus {
  const target = typeof window === 'undefined' ? undefined : window
  return {
    onLine: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    subscribe(listener) {
      if (!target) return () => undefined
      const online = () => listener(true)
      const offline = () => listener(false)
      target.addEventListener('online', online)
      target.addEventListener('offline', offline)
      return () => {
        target.removeEventListener('online', online)
        target.removeEventListener('offline', offline)
      }
    },
  }
}

/** Erases a user's cache and outbox on this device (sign-out on a shared device); stop the storage first. */
export function deleteChatCache(me: { id: string; eventId: string }): Promise<void> {
  return deleteDB(chatDbName(me))
}

// The whole public surface: the app, the harnesses and the tests outside this package use nothing else.
export { type ChatDb, chatDbName, type Mentions, openChatDb } from './db.ts'
export { ApiError, type ApiErrorCode, type ApiRequest, type RequestOptions, request } from './http.ts'
export type { LockManagerLike } from './lock.ts'
export { defaultRetryPolicy, type RetryPolicy, retryDelay } from './retry.ts'
export type { ChatRuntime, NetworkStatus, Timing } from './runtime.ts'
export { createSocketIoTransport, type SocketIoTransportOptions } from './socket-io.ts'
export type { ChatHttp, ChatSocket, ChatTransport, HttpMethod, SocketStatus } from './transport.ts'
export type * from './types.ts'
export { type ApiUpload, type UploadOptions, uploadFile } from './upload.ts'
