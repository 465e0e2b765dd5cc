import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import type { ClientEvents, CreateInvitationBody, JoinResponse, ServerEvents } from '@secura/shared'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll } from 'vitest'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'
export const PUBLIC_URL = 'http://localhost:3999'
/** Postgres when the run provides DATABASE_URL (CI does), else in-memory PGlite. */
export const onPostgres = Boolean(process.env.DATABASE_URL)

export type ClientSocket = Socket<ServerEvents, ClientEvents>

export interface ApiResponse<T = any> {
  status: number
  body: T
  headers: Headers
}

export interface TestServer {
  app: FastifyInstance
  url: string
  api<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>
  createEvent(name?: string): Promise<{ eventId: string; lobbyId: string }>
  invite(eventId: string, body?: CreateInvitationBody, token?: string): Promise<{ code: string; id: string }>
  /** A new guest of the event (a fresh single-use invitation each time). */
  join(eventId: string, displayName?: string, role?: CreateInvitationBody['role']): Promise<JoinResponse>
  connect(auth: Record<string, unknown>, options?: { origin?: string }): Promise<ClientSocket>
  /** Row counts of every table: compare before and after a refused request. */
  counts(): Promise<Record<Table, number>>
  close(): Promise<void>
}

const TABLES = [
  'Event',
  'User',
  'Invitation',
  'Session',
  'Conversation',
  'Member',
  'Message',
  'Reaction',
  'Attachment',
  'ModerationAction',
  'Report',
  'PushSubscription',
  'AnnouncementDismissal',
] as const
type Table = (typeof TABLES)[number]

export interface RequestOptions {
  token?: string
  body?: unknown
  headers?: Record<string, string>
  rawBody?: string
}

/** A fresh database: a new Postgres database on the DATABASE_URL server, or an in-memory PGlite. */
export async function freshDatabase(): Promise<{ databaseUrl?: string; drop(): Promise<void> }> {
  if (!process.env.DATABASE_URL) return { drop: async () => {} }
  const name = `test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(process.env.DATABASE_URL)
  url.pathname = `/${name}`
  return {
    databaseUrl: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

export async function startServer(
  env: Record<string, string> = {},
  options: { logStream?: Writable; databaseUrl?: string } = {},
): Promise<TestServer> {
  const database = options.databaseUrl
    ? { databaseUrl: options.databaseUrl, drop: async () => {} }
    : await freshDatabase()
  const config = loadConfig({
    ADMIN_TOKEN,
    PUBLIC_URL,
    DATA_DIR: 'memory://',
    LOG_LEVEL: options.logStream ? 'info' : 'silent',
    ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
    ...env,
  })
  const app = await buildApp(config, options.logStream ? { logStream: options.logStream } : { logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('no address')
  const url = `http://127.0.0.1:${address.port}`
  const sockets: ClientSocket[] = []

  const api: TestServer['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    let body: string | undefined = opts.rawBody
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(opts.body)
    }
    const res = await fetch(url + path, { method, headers, body })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, body: parsed as never, headers: res.headers }
  }

  const server: TestServer = {
    app,
    url,
    api,
    async createEvent(name = 'Test event') {
      const res = await api('POST', '/api/admin/events', { token: ADMIN_TOKEN, body: { name } })
      if (res.status !== 201) throw new Error(`createEvent: ${res.status} ${JSON.stringify(res.body)}`)
      return { eventId: res.body.event.id, lobbyId: res.body.lobby.id }
    },
    async invite(eventId, body = {}, token = ADMIN_TOKEN) {
      const res = await api('POST', `/api/events/${eventId}/invitations`, { token, body })
      if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`)
      return { code: res.body.code, id: res.body.invitation.id }
    },
    async join(eventId, displayName = 'Guest', role = 'guest') {
      const { code } = await server.invite(eventId, { role })
      const res = await api('POST', '/api/auth/join', { body: { code, displayName } })
      if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`)
      return res.body
    },
    connect(auth, opts = {}) {
      const socket: ClientSocket = io(`${url}/chat`, {
        auth,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(opts.origin && { extraHeaders: { origin: opts.origin } }),
      })
      sockets.push(socket)
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket))
        socket.once('connect_error', (error) => reject(error))
      })
    },
    async counts() {
      const result = {} as Record<Table, number>
      for (const t of TABLES) {
        const [row] = await app.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`)
        result[t] = Number(row?.n)
      }
      return result
    },
    async close() {
      for (const s of sockets) s.disconnect()
      await app.close()
      await database.drop()
    },
  }
  return server
}

/** Limits raised for a test file whose tests send and join many times from one address. */
export const MANY_SENDS = {
  LIMIT_SEND_PER_SEC: '1000',
  LIMIT_SEND_BURST: '1000',
  LIMIT_JOINS_PER_MIN: '100000',
}

/**
 * The server of one test file: started before its tests (startServer with `env`), closed after them. The
 * object is filled in by that beforeAll, so use it inside tests and hooks, never at the file's top level.
 * With `files`, uploads are stored in a temporary folder of its own (FILES_DIR, `filesDir`), removed after.
 */
export function useServer(env?: Record<string, string>): TestServer
export function useServer(
  env: Record<string, string>,
  options: { files: true },
): TestServer & { filesDir: string }
export function useServer(env: Record<string, string> = {}, options: { files?: true } = {}) {
  const server = {} as TestServer & { filesDir?: string }
  beforeAll(async () => {
    if (options.files) server.filesDir = await mkdtemp(join(tmpdir(), 'secura-files-test-'))
    Object.assign(
      server,
      await startServer({ ...(server.filesDir && { FILES_DIR: server.filesDir }), ...env }),
    )
  })
  afterAll(async () => {
    // Not started (its beforeAll failed, and says why): nothing to close.
    await server.close?.()
    if (server.filesDir) await rm(server.filesDir, { recursive: true, force: true })
  })
  return server
}

/** Resolves with the next `event` on the socket, or rejects after `ms`. */
export function nextEvent<T = unknown>(socket: ClientSocket, event: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms)
    ;(socket as unknown as { once(e: string, f: (p: T) => void): void }).once(event, (payload: T) => {
      clearTimeout(timer)
      resolve(payload)
    })
  })
}

/** Emits a client event and resolves with its ack (`{ok, data}` or `{ok:false, error}`); rejects after `ms`. */
export function emitAck<T = any>(
  socket: ClientSocket,
  event: string,
  payload?: unknown,
  ms = 5000,
): Promise<
  { ok: true; data: T } | { ok: false; error: { code: string; message: string; retryAfterMs?: number } }
> {
  const timed = socket.timeout(ms) as unknown as { emitWithAck(e: string, p?: unknown): Promise<never> }
  return timed.emitWithAck(event, payload)
}

/** Every `event` the socket receives from now on, in arrival order. */
export function record<T = any>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = []
  ;(socket as unknown as { on(e: string, f: (p: T) => void): void }).on(event, (payload) =>
    seen.push(payload),
  )
  return seen
}

/** Resolves once `check()` holds, polling every few milliseconds; rejects after `ms` with `what`. */
export async function waitUntil(check: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface Received {
  event: string
  payload: any
}

/** Everything one socket receives, in arrival order, so a test can assert it got nothing else. */
export interface Recorder {
  readonly received: Received[]
  /** Payloads of one event, in arrival order. */
  of<T = any>(event: string): T[]
  /** Event names in arrival order, leaving out the given ones (e.g. presence changes a test does not look at). */
  names(...except: string[]): string[]
  clear(): void
  /** The first recorded `event` matching `match`, already received or arriving within `ms`. */
  waitFor<T = any>(event: string, match?: (payload: T) => boolean, ms?: number): Promise<T>
}

export function collect(socket: ClientSocket): Recorder {
  const received: Received[] = []
  const waiters = new Set<() => void>()
  socket.onAny((event: string, payload: unknown) => {
    received.push({ event, payload })
    for (const wake of waiters) wake()
  })
  return {
    received,
    of: (event) => received.filter((r) => r.event === event).map((r) => r.payload),
    names: (...except) => received.map((r) => r.event).filter((e) => !except.includes(e)),
    clear: () => {
      received.length = 0
    },
    waitFor(event, match = () => true, ms = 5000) {
      const found = () => received.find((r) => r.event === event && match(r.payload))
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = found()
          if (!hit) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(hit.payload)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(
              `timed out waiting for ${event}; received ${JSON.stringify(received.map((r) => r.event))}`,
            ),
          )
        }, ms)
        waiters.add(check)
        check()
      })
    },
  }
}

/** A short pause, to let anything that should not arrive arrive. */
export const quiet = (ms = 300) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** New guests of one event, in the order named (joined one at a time, so their createdAt order is theirs). */
export async function joinAll<const N extends readonly string[]>(
  server: TestServer,
  eventId: string,
  ...names: N
): Promise<{ -readonly [K in keyof N]: JoinResponse }> {
  const joined: JoinResponse[] = []
  for (const name of names) joined.push(await server.join(eventId, name))
  return joined as never
}

/** REST calls under /api/chat with one guest's token. */
export function chatApi(server: TestServer, token: string) {
  const call =
    (method: string) =>
    <T = any>(path: string, body?: unknown) =>
      server.api<T>(method, `/api/chat${path}`, { token, body })
  const api = { get: call('GET'), post: call('POST'), put: call('PUT'), del: call('DELETE') }
  return {
    ...api,
    /** Sends a message over HTTP with a fresh clientMessageId unless one is given. */
    send: (conversationId: string, content: string, extra: Record<string, unknown> = {}) =>
      api.post(`/conversations/${conversationId}/messages`, {
        clientMessageId: crypto.randomUUID(),
        content,
        ...extra,
      }),
  }
}
