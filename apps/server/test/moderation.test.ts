import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, emitAck, nextEvent, useServer } from './helpers.ts'

/** Mute, remove, restore, roles and the moderation log, over REST and the socket. Cluster: test/cluster/moderation.test.ts. */
const server = useServer()
let eventId: string
let lobbyId: string

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Moderation'))
})

const guestPath = (id: string, what: string) => `/api/events/${eventId}/guests/${id}/${what}`
const send = (socket: ClientSocket, content: string) =>
  emitAck(socket, 'message:send', { conversationId: lobbyId, clientMessageId: crypto.randomUUID(), content })
const messageCount = async () => (await server.counts()).Message

describe('mute', () => {
  it('refuses a muted guest’s sends, reactions and new groups with FORBIDDEN, until and reason, storing nothing', async () => {
    const organizer = await server.join(eventId, 'Org', 'organizer')
    const guest = await server.join(eventId, 'Spammer')
    const other = await server.join(eventId, 'Bystander')
    const socket = await server.connect({ token: guest.token })
    const first = await send(socket, 'before the mute')
    expect(first.ok).toBe(true)
    const told = nextEvent<{ mutedUntil: string; muteReason: string }>(socket, 'user:moderated')

    const res = await server.api('POST', guestPath(guest.user.id, 'mute'), {
      token: organizer.token,
      body: { minutes: 10, reason: 'Flooding the lobby' },
    })
    expect(res.status).toBe(200)
    expect(res.body.action).toMatchObject({
      action: 'mute',
      actorId: organizer.user.id,
      targetId: guest.user.id,
    })
    const until = res.body.action.until as string
    expect(new Date(until).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000)
    expect(await told).toMatchObject({
      userId: guest.user.id,
      mutedUntil: until,
      muteReason: 'Flooding the lobby',
    })

    const before = await messageCount()
    const refused = await send(socket, 'during the mute')
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { muted: true, until, reason: 'Flooding the lobby' } },
    })
    const overRest = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: guest.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'over REST' },
    })
    expect(overRest.status).toBe(403)
    expect(overRest.body.error.details).toMatchObject({ muted: true, until })
    const reaction = await emitAck(socket, 'message:reaction', {
      messageId: (first as { data: { id: string } }).data.id,
      emoji: '👍',
    })
    expect(reaction).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const group = await server.api('POST', '/api/chat/conversations', {
      token: guest.token,
      body: { kind: 'group', title: 'Side room', userIds: [other.user.id] },
    })
    expect(group.status).toBe(403)
    expect(await messageCount()).toBe(before)
    // Reading still works.
    const history = await server.api('GET', `/api/chat/conversations/${lobbyId}/messages`, {
      token: guest.token,
    })
    expect(history.status).toBe(200)

    // Restore lifts it at once.
    const restored = await server.api('POST', guestPath(guest.user.id, 'restore'), { token: organizer.token })
    expect(restored.status).toBe(200)
    expect(await send(socket, 'after the restore')).toMatchObject({ ok: true })
    socket.disconnect()
  })

  it('a mute that has run out refuses nothing', async () => {
    const guest = await server.join(eventId, 'Timed')
    await server.app.db.sql.query(
      `UPDATE "User" SET "mutedUntil" = now() - interval '1 second', "muteReason" = 'old' WHERE id = $1::uuid`,
      [guest.user.id],
    )
    const socket = await server.connect({ token: guest.token })
    expect(await send(socket, 'free again')).toMatchObject({ ok: true })
    socket.disconnect()
  })
})

describe('remove and restore', () => {
  it('closes the guest’s sockets, refuses their session, and a restore lets the same session back in', async () => {
    const guest = await server.join(eventId, 'Troll')
    const socket = await server.connect({ token: guest.token })
    const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve))
    const res = await server.api('POST', guestPath(guest.user.id, 'remove'), {
      token: ADMIN_TOKEN,
      body: { reason: 'Harassment' },
    })
    expect(res.status).toBe(200)
    expect(res.body.action).toMatchObject({ action: 'remove', actorId: null, reason: 'Harassment' })
    expect(await gone).toBe('io server disconnect')
    expect((await server.api('GET', '/api/auth/me', { token: guest.token })).status).toBe(401)
    await expect(server.connect({ token: guest.token })).rejects.toThrow()

    // The guest list still shows them, as removed; guests no longer find them by name.
    const list = await server.api('GET', `/api/events/${eventId}/guests?q=Troll`, { token: ADMIN_TOKEN })
    expect(list.body.guests).toEqual([expect.objectContaining({ id: guest.user.id, removed: true })])
    const peer = await server.join(eventId, 'Peer')
    const dir = await server.api('GET', '/api/chat/users?q=Troll', { token: peer.token })
    expect(dir.body.users).toEqual([])

    expect(
      (await server.api('POST', guestPath(guest.user.id, 'restore'), { token: ADMIN_TOKEN })).status,
    ).toBe(200)
    const me = await server.api('GET', '/api/auth/me', { token: guest.token })
    expect(me.status).toBe(200)
    expect(me.body.user.id).toBe(guest.user.id)
  })
})

describe('roles and refusals', () => {
  it('an organizer makes a guest a moderator, who can then mute over the socket, but not change roles', async () => {
    const organizer = await server.join(eventId, 'Boss', 'organizer')
    const helper = await server.join(eventId, 'Helper')
    const target = await server.join(eventId, 'Loud')
    const made = await server.api('PUT', guestPath(helper.user.id, 'role'), {
      token: organizer.token,
      body: { role: 'moderator' },
    })
    expect(made.status).toBe(200)
    expect(made.body.action).toMatchObject({ action: 'role', role: 'moderator' })
    // The socket opened before the promotion: the service reads the role afresh.
    const socket = await server.connect({ token: helper.token })
    const muted = await emitAck(socket, 'moderation:mute', { userId: target.user.id, minutes: 5 })
    expect(muted).toMatchObject({
      ok: true,
      data: { action: 'mute', actorId: helper.user.id, actorName: 'Helper' },
    })
    const role = await emitAck(socket, 'moderation:role', { userId: target.user.id, role: 'moderator' })
    expect(role).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    // Demoted: the same socket can no longer moderate.
    await server.api('PUT', guestPath(helper.user.id, 'role'), {
      token: organizer.token,
      body: { role: 'guest' },
    })
    const after = await emitAck(socket, 'moderation:restore', { userId: target.user.id })
    expect(after).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    socket.disconnect()
  })

  it('refuses wrong roles, organizers as targets, unknown ids and bad bodies, writing nothing', async () => {
    const organizer = await server.join(eventId, 'Chief', 'organizer')
    const guest = await server.join(eventId, 'Plain')
    const other = await server.join(eventId, 'Plain Two')
    const unknown = '0190a0a0-0000-7000-8000-000000000000'
    const before = await server.counts()
    const log = (await server.api('GET', `/api/events/${eventId}/moderation`, { token: ADMIN_TOKEN })).body
      .actions.length
    const cases: [string, string, string | undefined, unknown, number, string][] = [
      ['POST', guestPath(other.user.id, 'mute'), guest.token, { minutes: 5 }, 403, 'FORBIDDEN'],
      ['POST', guestPath(other.user.id, 'remove'), guest.token, {}, 403, 'FORBIDDEN'],
      ['PUT', guestPath(other.user.id, 'role'), guest.token, { role: 'moderator' }, 403, 'FORBIDDEN'],
      ['POST', guestPath(organizer.user.id, 'mute'), ADMIN_TOKEN, { minutes: 5 }, 403, 'FORBIDDEN'],
      ['POST', guestPath(organizer.user.id, 'remove'), ADMIN_TOKEN, {}, 403, 'FORBIDDEN'],
      ['PUT', guestPath(organizer.user.id, 'role'), ADMIN_TOKEN, { role: 'guest' }, 403, 'FORBIDDEN'],
      ['POST', guestPath(unknown, 'mute'), organizer.token, { minutes: 5 }, 404, 'NOT_FOUND'],
      [
        'POST',
        `/api/events/${unknown}/guests/${guest.user.id}/mute`,
        ADMIN_TOKEN,
        { minutes: 5 },
        404,
        'NOT_FOUND',
      ],
      ['POST', guestPath(guest.user.id, 'mute'), organizer.token, { minutes: 0 }, 400, 'VALIDATION'],
      ['POST', guestPath(guest.user.id, 'mute'), organizer.token, { minutes: 1e6 }, 400, 'VALIDATION'],
      ['PUT', guestPath(guest.user.id, 'role'), organizer.token, { role: 'organizer' }, 400, 'VALIDATION'],
      ['POST', guestPath(guest.user.id, 'mute'), undefined, { minutes: 5 }, 401, 'UNAUTHORIZED'],
      ['GET', `/api/events/${eventId}/moderation`, guest.token, undefined, 403, 'FORBIDDEN'],
    ]
    for (const [method, path, token, body, status, code] of cases) {
      const res = await server.api(method, path, { token, ...(body !== undefined && { body }) })
      expect({ path, body, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        body,
        status,
        code,
      })
    }
    expect(await server.counts()).toEqual(before)
    const logAfter = await server.api('GET', `/api/events/${eventId}/moderation`, { token: ADMIN_TOKEN })
    expect(logAfter.body.actions.length).toBe(log)
  })

  it('the log lists every action, newest first, with who, what and when', async () => {
    const organizer = await server.join(eventId, 'Logger', 'organizer')
    const guest = await server.join(eventId, 'Logged')
    await server.api('POST', guestPath(guest.user.id, 'mute'), {
      token: organizer.token,
      body: { minutes: 1 },
    })
    await server.api('POST', guestPath(guest.user.id, 'restore'), { token: organizer.token })
    const res = await server.api('GET', `/api/events/${eventId}/moderation`, { token: organizer.token })
    expect(res.status).toBe(200)
    const mine = res.body.actions.filter((a: { targetId: string }) => a.targetId === guest.user.id)
    expect(mine.map((a: { action: string }) => a.action)).toEqual(['restore', 'mute'])
    expect(mine[1]).toMatchObject({ actorName: 'Logger', targetName: 'Logged', until: expect.any(String) })
  })
})
