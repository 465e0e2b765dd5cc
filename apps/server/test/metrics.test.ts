import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, chatApi, emitAck, useServer } from './helpers.ts'

const server = useServer()

async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const res = await server.api<string>('GET', '/metrics', { token: ADMIN_TOKEN })
  expect(res.status).toBe(200)
  const lines = String(res.body).split('\n')
  return (name, labels = {}) =>
    lines
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
}

describe('/metrics', () => {
  it('needs the admin token', async () => {
    expect((await server.api('GET', '/metrics')).status).toBe(401)
    const guest = await server.join((await server.createEvent()).eventId)
    expect((await server.api('GET', '/metrics', { token: guest.token })).status).toBe(401)
  })

  it('counts accepted messages per transport, times acks, and counts refusals by error code', async () => {
    const { eventId, lobbyId } = await server.createEvent('Metrics')
    const guest = await server.join(eventId)
    const socket = await server.connect({ token: guest.token })
    const before = await scrape()
    const body = { conversationId: lobbyId, clientMessageId: crypto.randomUUID(), content: 'over the socket' }
    expect((await emitAck(socket, 'message:send', body)).ok).toBe(true)
    expect((await emitAck(socket, 'message:send', body)).ok).toBe(true) // a replay: not accepted twice
    expect((await emitAck(socket, 'message:send', { conversationId: lobbyId })).ok).toBe(false)
    const http = chatApi(server, guest.token)
    expect((await http.send(lobbyId, 'over http')).status).toBe(201)
    expect((await http.get(`/conversations/${crypto.randomUUID()}`)).status).toBe(404)
    const after = await scrape()

    const delta = (name: string, labels: Record<string, string>) => after(name, labels) - before(name, labels)
    expect(delta('secura_messages_accepted_total', { transport: 'socket' })).toBe(1)
    expect(delta('secura_messages_accepted_total', { transport: 'http' })).toBe(1)
    expect(
      delta('secura_command_duration_seconds_count', { transport: 'socket', command: 'message:send' }),
    ).toBe(3)
    expect(delta('secura_commands_rejected_total', { transport: 'socket', code: 'VALIDATION' })).toBe(1)
    expect(delta('secura_commands_rejected_total', { transport: 'http', code: 'NOT_FOUND' })).toBe(1)
    expect(after('secura_sockets_connected')).toBeGreaterThanOrEqual(1)
    expect(after('secura_presence_online_users')).toBeGreaterThanOrEqual(1)
    expect(after('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
  })
})
