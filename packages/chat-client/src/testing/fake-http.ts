import { ApiError } from '../http.ts'
import type { NetworkStatus } from '../runtime.ts'
import type { ChatHttp, HttpMethod } from '../transport.ts'
import type { UploadOptions } from '../upload.ts'
import type { FakeServer } from './fake-server.ts'
import type { Fields } from './fake-socket.ts'

type Failure = { code: ApiError['code']; status: number; retryAfterMs?: number }

/**
 * REST as the test scripts it: queued failures per route first, otherwise the fake server answers.
 * Every call is recorded.
 */
export class FakeHttp implements ChatHttp {
  readonly calls: { method: HttpMethod; path: string; body: unknown; at: number }[] = []
  private readonly failures: { method: HttpMethod; path: RegExp; failure: Failure }[] = []
  /** Every request fails as if the network were down. */
  down = false
  /** How long each answer takes (ms): a slow network. */
  delayMs = 0
  /** Uploads wait for this (when set) after reporting half their bytes sent: a slow upload. */
  uploadGate: Promise<void> | undefined
  /** The next this many uploads are stored, but their answer is lost (NETWORK). */
  lostUploadAnswers = 0

  constructor(
    private readonly server: FakeServer,
    readonly userId: string,
  ) {}

  /** The next `times` matching requests fail with this error. */
  fail(method: HttpMethod, path: RegExp, failure: Failure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ method, path, failure })
  }

  count(method: HttpMethod, path: RegExp): number {
    return this.calls.filter((c) => c.method === method && path.test(c.path)).length
  }

  async request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    this.calls.push({ method, path, body, at: Date.now() })
    await new Promise((resolve) => setTimeout(resolve, this.delayMs))
    if (this.down) throw new ApiError('NETWORK', 0, 'Cannot reach the server')
    const index = this.failures.findIndex((f) => f.method === method && f.path.test(path))
    if (index >= 0) {
      const { failure } = this.failures.splice(index, 1)[0]!
      throw new ApiError(
        failure.code,
        failure.status,
        `scripted ${failure.code}`,
        undefined,
        failure.retryAfterMs,
      )
    }
    return structuredClone(this.route(method, path, body)) as T
  }

  async upload<T>(path: string, file: Blob, name: string, options: UploadOptions = {}): Promise<T> {
    this.calls.push({ method: 'POST', path, body: { name, size: file.size }, at: Date.now() })
    const { signal, onProgress } = options
    const aborted = () => new DOMException('The upload was cancelled', 'AbortError')
    if (signal?.aborted) throw aborted()
    await new Promise((resolve) => setTimeout(resolve, 0))
    if (this.down) throw new ApiError('NETWORK', 0, 'Cannot reach the server')
    const index = this.failures.findIndex((f) => f.method === 'POST' && f.path.test(path))
    if (index >= 0) {
      const { failure } = this.failures.splice(index, 1)[0]!
      throw new ApiError(failure.code, failure.status, `scripted ${failure.code}`)
    }
    onProgress?.(file.size / 2, file.size)
    if (this.uploadGate) {
      const gate = this.uploadGate
      await new Promise<void>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(aborted()), { once: true })
        void gate.then(resolve)
      })
    }
    // The bytes went through intact: IndexedDB gave back the Blob itself.
    if ((await file.arrayBuffer()).byteLength !== file.size) throw new Error('the file lost bytes')
    onProgress?.(file.size, file.size)
    const conversationId = path.split('/')[4]!
    const attachment = this.server.upload(this.userId, conversationId, name, file.size, options.key)
    if (this.lostUploadAnswers > 0) {
      this.lostUploadAnswers--
      throw new ApiError('NETWORK', 0, 'The answer was lost')
    }
    return structuredClone(attachment) as T
  }

  private route(method: HttpMethod, path: string, body: unknown): unknown {
    const s = this.server
    const b = (body ?? {}) as Fields
    const url = new URL(path, 'http://test')
    const parts = url.pathname.replace('/api/chat/', '').split('/')
    const [resource, id, sub, mid, leaf] = parts
    const query = (name: string) => url.searchParams.get(name) ?? undefined
    if (resource === 'sync' && method === 'POST') return s.sync(this.userId, b.cursors)
    if (resource === 'announcements' && method === 'GET') {
      const lobby = s.list(this.userId).find((c) => c.kind === 'event')
      const held = lobby ? s.messagesOf(lobby.id) : []
      return {
        announcements: held.filter((m) => m.announcement && !m.deletedAt).reverse(),
        settings: { announcementOnly: false, moderatorsAnnounce: false },
      }
    }
    // Every id is someone here except those starting with "0000": another event's, which the server leaves out.
    if (resource === 'users') {
      const ids = query('ids')?.split(',') ?? []
      return { users: ids.filter((id) => !id.startsWith('0000')).map(fakeUser) }
    }
    if (resource === 'conversations' && !id && method === 'GET') {
      s.log.push('list')
      return { conversations: s.list(this.userId) }
    }
    if (resource === 'conversations' && id && !sub && method === 'GET') {
      s.log.push(`head ${id}`)
      return s.room(this.userId, id).conversation
    }
    if (sub === 'messages' && !mid && method === 'POST') {
      return s.send(this.userId, { ...b, conversationId: id! }, 'http').message
    }
    if (sub === 'messages' && !mid && method === 'GET') {
      s.room(this.userId, id!)
      s.log.push(`history ${id}`)
      const sinceRev = query('sinceRev')
      const beforeSeq = query('beforeSeq')
      const limit = Number(query('limit') ?? 50)
      const afterSeq = query('afterSeq')
      const aroundSeq = query('aroundSeq')
      const aroundId = query('aroundId')
      if (afterSeq !== undefined) return s.after(id!, Number(afterSeq), limit)
      if (aroundSeq !== undefined) return s.around(id!, { seq: Number(aroundSeq) }, limit)
      if (aroundId !== undefined) return s.around(id!, { messageId: aroundId }, limit)
      return sinceRev !== undefined
        ? s.changes(id!, Number(sinceRev), limit)
        : s.history(id!, beforeSeq === undefined ? undefined : Number(beforeSeq), limit)
    }
    if (sub === 'messages' && mid && !leaf && method === 'PUT') return s.edit(this.userId, mid, b.content)
    if (sub === 'messages' && mid && !leaf && method === 'DELETE') return s.remove(this.userId, mid)
    if (leaf === 'reaction') return s.react(this.userId, mid!, b.emoji, b.action)
    if (sub === 'mark-as-read') {
      const result = s.markRead(this.userId, id!, b.seq)
      const unreadCount = s.list(this.userId).find((c) => c.id === id)?.unreadCount ?? 0
      return { ...result, unreadCount }
    }
    throw new ApiError('NOT_FOUND', 404, `No route ${method} ${path}`)
  }
}

const fakeUser = (id: string) => ({
  id,
  displayName: `Name of ${id}`,
  role: 'guest',
  status: 'online',
  lastSeenAt: '2024-06-01T12:00:00.000Z',
})

/** navigator.onLine and its events, driven by the test. */
export class FakeNetwork implements NetworkStatus {
  online = true
  private readonly listeners = new Set<(online: boolean) => void>()
  onLine = () => this.online
  subscribe(listener: (online: boolean) => void) {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  set(online: boolean) {
    this.online = online
    for (const l of this.listeners) l(online)
  }
}
