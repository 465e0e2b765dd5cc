import { spawn } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSocket, collect, emitAck, quiet, type Recorder } from '../helpers.ts'
import { api, connect, createEvent, disconnectAll, join, scrape } from './clients.ts'
import { type Cluster, MIGRATIONS, startCluster } from './harness.ts'

let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster()
})
afterAll(async () => {
  disconnectAll()
  await cluster?.close()
})

interface Tab {
  socket: ClientSocket
  rec: Recorder
  on: 'a' | 'b'
}

/** Names every tab that received `event` (matching), so a test can say exactly who got it. */
function receivers(tabs: Record<string, Tab>, event: string, match: (p: any) => boolean = () => true) {
  return Object.entries(tabs)
    .filter(([, tab]) => tab.rec.of(event).some(match))
    .map(([name]) => name)
    .sort()
}

describe('two instances on one Redis', () => {
  it('started at once on an empty database, they applied every migration exactly once (advisory lock)', async () => {
    const db = new pg.Client({ connectionString: cluster.database.url })
    await db.connect()
    const { rows } = await db.query<{ migration_name: string; finished_at: Date | null }>(
      'SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    )
    await db.end()
    expect(rows.map((r) => r.migration_name)).toEqual([...MIGRATIONS].sort())
    expect(rows.every((r) => r.finished_at)).toBe(true)
  })

  it('every server→client event of protocol §5 crosses instances, to exactly the right sockets', async () => {
    const { a, b } = cluster
    const { eventId, lobbyId } = await createEvent(a.url, 'Crossing')
    const other = await createEvent(b.url, 'Elsewhere')
    const ana = await join(a.url, eventId, 'Ana')
    const ben = await join(b.url, eventId, 'Ben')
    const cy = await join(a.url, eventId, 'Cy')
    const dan = await join(b.url, eventId, 'Dan')
    const out = await join(a.url, other.eventId, 'Out')

    const open = async (on: 'a' | 'b', token: string): Promise<Tab> => {
      const socket = await connect(cluster[on].url, token)
      return { socket, rec: collect(socket), on }
    }
    // Cy has a tab on each instance.
    const tabs: Record<string, Tab> = {
      ana: await open('a', ana.token),
      ben: await open('b', ben.token),
      cyA: await open('a', cy.token),
      cyB: await open('b', cy.token),
      dan: await open('b', dan.token),
      out: await open('a', out.token),
    }
    const clear = () => {
      for (const tab of Object.values(tabs)) tab.rec.clear()
    }
    const settle = () => quiet(400)

    // conversation:created — to each member's user room, on both instances.
    const created = await api(a.url, 'POST', '/api/chat/conversations', {
      token: ana.token,
      body: { kind: 'group', title: 'Crew', userIds: [ben.user.id, cy.user.id] },
    })
    expect(created.status).toBe(201)
    const groupId: string = created.body.id
    await tabs.cyB!.rec.waitFor('conversation:created')
    await settle()
    expect(receivers(tabs, 'conversation:created')).toEqual(['ana', 'ben', 'cyA', 'cyB'])

    // user:status — partners (now sharing the group) and subscribers; Dan subscribes to Ana from instance b.
    const subscribed = await emitAck(tabs.dan!.socket, 'presence:subscribe', { userIds: [ana.user.id] })
    expect(subscribed.ok && subscribed.data.statuses).toEqual([expect.objectContaining({ status: 'online' })])
    clear()
    tabs.ana!.socket.disconnect()
    await tabs.dan!.rec.waitFor('user:status', (e) => e.status === 'offline')
    tabs.ana = await open('a', ana.token)
    await tabs.dan!.rec.waitFor('user:status', (e) => e.status === 'online')
    await settle()
    expect(receivers(tabs, 'user:status', (e) => e.userId === ana.user.id)).toEqual([
      'ben',
      'cyA',
      'cyB',
      'dan',
    ])
    for (const name of ['ben', 'cyA', 'cyB', 'dan'])
      expect(tabs[name]!.rec.of('user:status').map((e) => e.status)).toEqual(['offline', 'online'])

    // conversation:user-joined — distinct viewers across instances; a second tab is no new viewer.
    clear()
    const joinAs = async (name: string) => {
      const ack = await emitAck(tabs[name]!.socket, 'conversation:join', { conversationId: groupId })
      if (!ack.ok) throw new Error(JSON.stringify(ack.error))
      return ack.data.userCount as number
    }
    expect(await joinAs('ana')).toBe(1)
    expect(await joinAs('ben')).toBe(2)
    await tabs.ana!.rec.waitFor('conversation:user-joined')
    expect(await joinAs('cyA')).toBe(3)
    await tabs.ben!.rec.waitFor('conversation:user-joined', (e) => e.userId === cy.user.id)
    expect(await joinAs('cyB')).toBe(3)
    await settle()
    expect(tabs.ana!.rec.of('conversation:user-joined')).toEqual([
      { conversationId: groupId, userId: ben.user.id, userCount: 2 },
      { conversationId: groupId, userId: cy.user.id, userCount: 3 },
    ])
    expect(tabs.ben!.rec.of('conversation:user-joined')).toEqual([
      { conversationId: groupId, userId: cy.user.id, userCount: 3 },
    ])
    expect(receivers(tabs, 'conversation:user-joined')).toEqual(['ana', 'ben'])

    // message:new to the room (every tab in it, sender's own included); message-received to the other
    // members' sockets not viewing the conversation (Cy's tab on b, out of the room for now), never the sender's.
    const leftB = await emitAck(tabs.cyB!.socket, 'conversation:leave', { conversationId: groupId })
    expect(leftB.ok && leftB.data.userCount).toBe(3)
    clear()
    const sent = await emitAck(tabs.ben!.socket, 'message:send', {
      conversationId: groupId,
      clientMessageId: crypto.randomUUID(),
      content: 'hello from b',
    })
    if (!sent.ok) throw new Error(JSON.stringify(sent.error))
    const messageId: string = sent.data.id
    await tabs.cyA!.rec.waitFor('message:new')
    await tabs.cyB!.rec.waitFor('conversation:message-received')
    await settle()
    expect(receivers(tabs, 'message:new')).toEqual(['ana', 'ben', 'cyA'])
    for (const name of ['ana', 'ben', 'cyA']) expect(tabs[name]!.rec.of('message:new')).toHaveLength(1)
    expect(receivers(tabs, 'conversation:message-received')).toEqual(['cyB'])
    expect(await joinAs('cyB')).toBe(3)

    // The lobby: one emit to the event room, except the sender — Out (another event) hears nothing.
    clear()
    const lobby = await api(b.url, 'POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: dan.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'lobby news' },
    })
    expect(lobby.status).toBe(201)
    await tabs.cyA!.rec.waitFor('conversation:message-received')
    await settle()
    expect(receivers(tabs, 'conversation:message-received')).toEqual(['ana', 'ben', 'cyA', 'cyB'])

    // message:edited / :deleted / :reaction — to the room, from either instance.
    clear()
    expect((await emitAck(tabs.ben!.socket, 'message:edited', { messageId, newContent: 'edited' })).ok).toBe(
      true,
    )
    const reacted = await api(
      a.url,
      'POST',
      `/api/chat/conversations/${groupId}/messages/${messageId}/reaction`,
      {
        token: ana.token,
        body: { emoji: '👍' },
      },
    )
    expect(reacted.status).toBe(200)
    await tabs.cyB!.rec.waitFor('message:reaction')
    await tabs.cyB!.rec.waitFor('message:edited')
    await settle()
    expect(receivers(tabs, 'message:edited')).toEqual(['ana', 'ben', 'cyA', 'cyB'])
    expect(receivers(tabs, 'message:reaction')).toEqual(['ana', 'ben', 'cyA', 'cyB'])

    // message:typing — to the room except the typist's own sockets; isTyping:false on stop.
    clear()
    expect((await emitAck(tabs.cyA!.socket, 'message:typing', { conversationId: groupId })).ok).toBe(true)
    await tabs.ben!.rec.waitFor('message:typing')
    expect((await emitAck(tabs.cyA!.socket, 'message:stop-typing', { conversationId: groupId })).ok).toBe(
      true,
    )
    await tabs.ben!.rec.waitFor('message:typing', (e) => e.isTyping === false)
    await settle()
    expect(receivers(tabs, 'message:typing')).toEqual(['ana', 'ben'])
    expect(tabs.ana!.rec.of('message:typing').map((e) => [e.userId, e.isTyping])).toEqual([
      [cy.user.id, true],
      [cy.user.id, false],
    ])

    // conversation:read — to the room and the reader's own devices.
    clear()
    expect(
      (await emitAck(tabs.ben!.socket, 'conversation:read', { conversationId: groupId, seq: 1 })).ok,
    ).toBe(true)
    await tabs.cyB!.rec.waitFor('conversation:read')
    await settle()
    expect(receivers(tabs, 'conversation:read')).toEqual(['ana', 'ben', 'cyA', 'cyB'])

    // conversation:updated to the members, :created to the one added; removal tells the removed member too
    // and makes their sockets on the other instance leave the room (socketsLeave through the adapter).
    clear()
    const added = await api(a.url, 'POST', `/api/chat/conversations/${groupId}/members`, {
      token: ana.token,
      body: { userIds: [dan.user.id] },
    })
    expect(added.status).toBe(200)
    await tabs.dan!.rec.waitFor('conversation:created')
    await tabs.cyB!.rec.waitFor('conversation:updated')
    await settle()
    expect(receivers(tabs, 'conversation:updated')).toEqual(['ana', 'ben', 'cyA', 'cyB'])
    expect(receivers(tabs, 'conversation:created')).toEqual(['dan'])
    expect(await joinAs('dan')).toBe(4)
    clear()
    const removed = await api(a.url, 'DELETE', `/api/chat/conversations/${groupId}/members`, {
      token: ana.token,
      body: { userIds: [dan.user.id] },
    })
    expect(removed.status).toBe(200)
    await tabs.dan!.rec.waitFor('conversation:updated')
    await tabs.ana!.rec.waitFor('conversation:user-left', (e) => e.userId === dan.user.id)
    await settle()
    expect(receivers(tabs, 'conversation:updated')).toEqual(['ana', 'ben', 'cyA', 'cyB', 'dan'])
    clear()
    await emitAck(tabs.ana!.socket, 'message:send', {
      conversationId: groupId,
      clientMessageId: crypto.randomUUID(),
      content: 'after Dan left',
    })
    await tabs.cyB!.rec.waitFor('message:new')
    await settle()
    expect(receivers(tabs, 'message:new')).toEqual(['ana', 'ben', 'cyA', 'cyB'])

    // conversation:user-left — when a user's last socket in the room leaves, wherever it was.
    clear()
    const left = await emitAck(tabs.ben!.socket, 'conversation:leave', { conversationId: groupId })
    expect(left.ok && left.data.userCount).toBe(2)
    await tabs.cyA!.rec.waitFor('conversation:user-left')
    tabs.cyA!.socket.disconnect() // Cy still views it from the tab on b
    await settle()
    expect(tabs.ana!.rec.of('conversation:user-left')).toEqual([
      { conversationId: groupId, userId: ben.user.id, userCount: 2 },
    ])
    expect(receivers(tabs, 'conversation:user-left')).toEqual(['ana', 'cyA', 'cyB'])
    tabs.cyB!.socket.disconnect()
    expect(await tabs.ana!.rec.waitFor('conversation:user-left', (e) => e.userId === cy.user.id)).toEqual({
      conversationId: groupId,
      userId: cy.user.id,
      userCount: 1,
    })
    expect(tabs.out!.rec.received).toEqual([])
  })

  it('logout and deleting an event disconnect sockets on every instance', async () => {
    const { a, b } = cluster
    const { eventId } = await createEvent(a.url, 'Goodbye')
    const eve = await join(a.url, eventId, 'Eve')
    const fay = await join(b.url, eventId, 'Fay')
    const eveOnB = await connect(b.url, eve.token)
    const fayOnA = await connect(a.url, fay.token)
    const fayOnB = await connect(b.url, fay.token)
    const gone = (socket: ClientSocket) =>
      new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)))

    const eveGone = gone(eveOnB)
    expect((await api(a.url, 'POST', '/api/auth/logout', { token: eve.token })).status).toBe(204)
    expect(await eveGone).toBe('io server disconnect')

    const fayGone = [gone(fayOnA), gone(fayOnB)]
    expect((await api(b.url, 'DELETE', `/api/admin/events/${eventId}`, { token: ADMIN })).status).toBe(204)
    expect(await Promise.all(fayGone)).toEqual(['io server disconnect', 'io server disconnect'])
  })

  it('/metrics moves when messages flow, on the instance that took them', async () => {
    const { a, b } = cluster
    const { lobbyId, eventId } = await createEvent(a.url, 'Metrics')
    const gus = await join(a.url, eventId, 'Gus')
    const socket = await connect(a.url, gus.token)
    const [beforeA, beforeB] = await Promise.all([scrape(a.url), scrape(b.url)])
    for (const content of ['one', 'two']) {
      const ack = await emitAck(socket, 'message:send', {
        conversationId: lobbyId,
        clientMessageId: crypto.randomUUID(),
        content,
      })
      expect(ack.ok).toBe(true)
    }
    const rest = await api(b.url, 'POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: gus.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'three' },
    })
    expect(rest.status).toBe(201)
    const missing = await api(b.url, 'GET', `/api/chat/conversations/${crypto.randomUUID()}`, {
      token: gus.token,
    })
    expect(missing.status).toBe(404)
    const [afterA, afterB] = await Promise.all([scrape(a.url), scrape(b.url)])

    const accepted = 'secura_messages_accepted_total'
    expect(
      afterA.value(accepted, { transport: 'socket' }) - beforeA.value(accepted, { transport: 'socket' }),
    ).toBe(2)
    expect(
      afterB.value(accepted, { transport: 'http' }) - beforeB.value(accepted, { transport: 'http' }),
    ).toBe(1)
    const acks = 'secura_command_duration_seconds_count'
    const sendAcks = { transport: 'socket', command: 'message:send' }
    expect(afterA.value(acks, sendAcks) - beforeA.value(acks, sendAcks)).toBe(2)
    const notFound = { transport: 'http', code: 'NOT_FOUND' }
    const rejected = 'secura_commands_rejected_total'
    expect(afterB.value(rejected, notFound) - beforeB.value(rejected, notFound)).toBe(1)
    expect(afterA.value('secura_sockets_connected')).toBeGreaterThanOrEqual(1)
    expect(afterA.value('secura_presence_online_users')).toBe(afterB.value('secura_presence_online_users'))
    for (const series of [
      'nodejs_eventloop_lag_seconds',
      'secura_redis_errors_total',
      'secura_database_errors_total',
    ])
      expect(afterA.text).toContain(series)
  })

  it('`pnpm verify` passes against an instance of the cluster', async () => {
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const verify = spawn(process.execPath, ['--import', 'tsx', 'src/cli/verify.ts', cluster.b.url], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { PATH: process.env.PATH, ADMIN_TOKEN: ADMIN },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let text = ''
      verify.stdout.on('data', (chunk) => {
        text += chunk
      })
      verify.stderr.on('data', (chunk) => {
        text += chunk
      })
      verify.once('exit', (code) => resolve({ code, text }))
    })
    expect(output.text).toContain('verify: all steps passed')
    expect(output.code).toBe(0)
  })

  it('logs carry a request or socket id on every request line and never a token', async () => {
    const lines = cluster.instances.flatMap((i) => i.logs)
    // Besides pino's JSON lines, the start banner (console) is the only output.
    const records = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const perRequest = records.filter((r) => 'req' in r || 'res' in r || 'event' in r)
    expect(perRequest.length).toBeGreaterThan(20)
    for (const r of perRequest) expect(r.reqId ?? r.socketId).toBeTruthy()
    const text = lines.join('\n')
    expect(text).not.toContain(ADMIN)
    expect(text).not.toMatch(/"token":"(?!\[redacted\])/)
  })
})

const ADMIN = 'cluster-admin-token-0123456789abcdef'
