// `pnpm verify <url> [--admin-token T]`: a smoke check of a running deployment, for operators after a
// deploy. One line per step with pass/fail and the latency seen; it creates a throwaway event and deletes it.
import { parseArgs } from 'node:util'
import {
  type Ack,
  CHAT_NAMESPACE,
  type ClientEvents,
  type CreateEventResponse,
  type CreateInvitationResponse,
  type JoinResponse,
  type Message,
  type ServerEvents,
  type SyncResponse,
} from '@secura/shared'
import { io, type Socket } from 'socket.io-client'

type ClientSocket = Socket<ServerEvents, ClientEvents>

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { 'admin-token': { type: 'string' }, timeout: { type: 'string', default: '10000' } },
})
const base = (positionals[0] ?? '').replace(/\/+$/, '')
const adminToken = values['admin-token'] ?? process.env.ADMIN_TOKEN
const timeoutMs = Number(values.timeout)
if (!base || !adminToken) {
  console.error('Usage: pnpm verify <url> [--admin-token T]   (or ADMIN_TOKEN in the environment)')
  process.exit(2)
}

let failures = 0
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    const result = await withTimeout(run(), name)
    console.log(`PASS  ${name.padEnd(44)} ${(performance.now() - started).toFixed(1)} ms`)
    return result
  } catch (error) {
    failures++
    console.log(`FAIL  ${name.padEnd(44)} ${(error as Error).message}`)
    throw error
  }
}
function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    promise
      .then(resolve, (e) => reject(e instanceof Error ? e : new Error(`${what}: ${String(e)}`)))
      .finally(() => clearTimeout(timer))
  })
}

async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`)
  return (text ? JSON.parse(text) : undefined) as T
}

function connect(token: string): Promise<ClientSocket> {
  // WebSocket only: this is the upgrade through the load balancer that must work.
  const socket: ClientSocket = io(base + CHAT_NAMESPACE, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (e) => reject(new Error(`connect_error: ${e.message}`)))
  })
}
function emit<T>(socket: ClientSocket, event: keyof ClientEvents, payload: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    ;(socket.emit as (e: string, p: unknown, ack: (r: Ack<T>) => void) => void)(event, payload, (r) =>
      r.ok ? resolve(r.data) : reject(new Error(`${r.error.code}: ${r.error.message}`)),
    )
  })
}
function next<T>(socket: ClientSocket, event: keyof ServerEvents, match: (p: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (payload: T) => {
      if (!match(payload)) return
      ;(socket.off as (e: string, f: unknown) => void)(event, listener)
      resolve(payload)
    }
    ;(socket.on as (e: string, f: unknown) => void)(event, listener)
  })
}

const sockets: ClientSocket[] = []
let eventId: string | undefined
try {
  console.log(`Verifying ${base}`)
  await step('GET /healthz', () => api('GET', '/healthz'))
  await step('GET /readyz (database reachable)', () => api('GET', '/readyz'))
  const created = await step('create a throwaway event', () =>
    api<CreateEventResponse>(
      'POST',
      '/api/admin/events',
      { name: `verify ${new Date().toISOString()}` },
      adminToken,
    ),
  )
  eventId = created.event.id
  const lobbyId = created.lobby.id
  const guests: JoinResponse[] = []
  for (const name of ['Verify A', 'Verify B']) {
    guests.push(
      await step(`join as ${name}`, async () => {
        const invitation = await api<CreateInvitationResponse>(
          'POST',
          `/api/events/${eventId}/invitations`,
          {},
          adminToken,
        )
        return api<JoinResponse>('POST', '/api/auth/join', { code: invitation.code, displayName: name })
      }),
    )
  }
  const [a, b] = guests as [JoinResponse, JoinResponse]
  const socketA = await step('WebSocket upgrade + handshake (A)', () => connect(a.token))
  const socketB = await step('WebSocket upgrade + handshake (B)', () => connect(b.token))
  sockets.push(socketA, socketB)
  await step('both join the lobby', () =>
    Promise.all([socketA, socketB].map((s) => emit(s, 'conversation:join', { conversationId: lobbyId }))),
  )
  const clientMessageId = crypto.randomUUID()
  const received = next<Message>(socketB, 'message:new', (m) => m.clientMessageId === clientMessageId)
  const sent = await step('A sends (ack after commit)', () =>
    emit<Message>(socketA, 'message:send', {
      conversationId: lobbyId,
      clientMessageId,
      content: 'verify ping',
    }),
  )
  await step('B receives it live', () => received)
  const edited = next(socketB, 'message:edited', (e: { messageId: string }) => e.messageId === sent.id)
  await step('A edits, B sees the edit', async () => {
    await emit(socketA, 'message:edited', { messageId: sent.id, newContent: 'verify pong' })
    await edited
  })
  await step('sync by rev returns the edit', async () => {
    const sync = await api<SyncResponse>(
      'POST',
      '/api/chat/sync',
      { cursors: [{ conversationId: lobbyId, rev: 0 }] },
      b.token,
    )
    const message = sync.changes[0]?.messages.find((m) => m.id === sent.id)
    if (message?.content !== 'verify pong') throw new Error('the edit is not in the sync result')
  })
} catch {
  // Reported by step(); clean up below.
} finally {
  for (const s of sockets) s.disconnect()
  if (eventId) {
    await step('clean up the throwaway event', () =>
      api('DELETE', `/api/admin/events/${eventId}`, undefined, adminToken),
    ).catch(() => {})
  }
  console.log(failures === 0 ? 'verify: all steps passed' : `verify: ${failures} step(s) failed`)
  process.exit(failures === 0 ? 0 : 1)
}
