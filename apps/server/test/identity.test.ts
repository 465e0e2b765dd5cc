import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, useServer } from './helpers.ts'

const server = useServer()

describe('events (admin only)', () => {
  it('refuses event creation without the admin token and writes nothing', async () => {
    const before = await server.counts()
    const guest = await server.join((await server.createEvent()).eventId)
    const afterSetup = await server.counts()
    for (const token of [undefined, 'wrong-token', guest.token]) {
      const res = await server.api('POST', '/api/admin/events', { token, body: { name: 'Nope' } })
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHORIZED')
    }
    expect(await server.counts()).toEqual(afterSetup)
    expect(afterSetup.Event).toBe(before.Event + 1)
  })

  it('creates an event with its lobby, lists and deletes it', async () => {
    const res = await server.api('POST', '/api/admin/events', {
      token: ADMIN_TOKEN,
      // In the future: guests join an event that has not ended.
      body: { name: '  Wedding  ', startsAt: '2099-12-01T10:00:00Z', endsAt: '2099-12-02T02:00:00Z' },
    })
    expect(res.status).toBe(201)
    expect(res.body.event).toMatchObject({ name: 'Wedding', startsAt: '2099-12-01T10:00:00.000Z' })
    expect(res.body.lobby).toMatchObject({
      kind: 'event',
      eventId: res.body.event.id,
      lastSeq: 0,
      lastRev: 0,
    })

    const list = await server.api('GET', '/api/admin/events', { token: ADMIN_TOKEN })
    expect(list.body.events.map((e: { id: string }) => e.id)).toContain(res.body.event.id)

    await server.join(res.body.event.id, 'Ana')
    const del = await server.api('DELETE', `/api/admin/events/${res.body.event.id}`, { token: ADMIN_TOKEN })
    expect(del.status).toBe(204)
    const [users] = await server.app.db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "User" WHERE "eventId" = $1',
      [res.body.event.id],
    )
    expect(users?.n).toBe(0)
    const again = await server.api('DELETE', `/api/admin/events/${res.body.event.id}`, { token: ADMIN_TOKEN })
    expect(again.status).toBe(404)
  })

  it('rejects invalid event bodies with VALIDATION', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x', startsAt: 'tomorrow' },
      { name: 7 },
    ]) {
      const res = await server.api('POST', '/api/admin/events', { token: ADMIN_TOKEN, body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION')
    }
    const reversed = await server.api('POST', '/api/admin/events', {
      token: ADMIN_TOKEN,
      body: { name: 'x', startsAt: '2026-12-02T00:00:00Z', endsAt: '2026-12-01T00:00:00Z' },
    })
    expect(reversed.status).toBe(400)
  })
})

describe('invitations', () => {
  it('the admin creates, lists and revokes them; codes are stored hashed', async () => {
    const { eventId } = await server.createEvent()
    const res = await server.api('POST', `/api/events/${eventId}/invitations`, {
      token: ADMIN_TOKEN,
      body: { role: 'moderator', maxUses: 5, displayName: 'Host' },
    })
    expect(res.status).toBe(201)
    expect(res.body.url).toBe(`http://localhost:3999/join/${res.body.code}`)
    expect(res.body.invitation).toMatchObject({ role: 'moderator', maxUses: 5, uses: 0, revokedAt: null })
    expect(res.body.code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const stored = await server.app.db.sql.query<{ codeHash: string }>(
      'SELECT "codeHash" FROM "Invitation" WHERE id = $1',
      [res.body.invitation.id],
    )
    expect(stored[0]?.codeHash).not.toContain(res.body.code)

    const list = await server.api('GET', `/api/events/${eventId}/invitations`, { token: ADMIN_TOKEN })
    expect(list.body.invitations).toHaveLength(1)
    const revoke = await server.api(
      'DELETE',
      `/api/events/${eventId}/invitations/${res.body.invitation.id}`,
      {
        token: ADMIN_TOKEN,
      },
    )
    expect(revoke.status).toBe(200)
    expect(revoke.body.invitation.revokedAt).not.toBeNull()
  })

  it('an organizer manages their own event only; guests and other events are refused, nothing written', async () => {
    const a = await server.createEvent('A')
    const b = await server.createEvent('B')
    const organizerA = await server.join(a.eventId, 'Olga', 'organizer')
    const guestA = await server.join(a.eventId, 'Gus')
    const organizerB = await server.join(b.eventId, 'Otto', 'organizer')

    const created = await server.invite(a.eventId, { maxUses: 10 }, organizerA.token)
    const list = await server.api('GET', `/api/events/${a.eventId}/invitations`, { token: organizerA.token })
    expect(list.status).toBe(200)
    const revoke = await server.api('DELETE', `/api/events/${a.eventId}/invitations/${created.id}`, {
      token: organizerA.token,
    })
    expect(revoke.status).toBe(200)

    const before = await server.counts()
    const asOther = await server.api('POST', `/api/events/${a.eventId}/invitations`, {
      token: organizerB.token,
      body: {},
    })
    expect(asOther.status).toBe(404)
    const listOther = await server.api('GET', `/api/events/${a.eventId}/invitations`, {
      token: organizerB.token,
    })
    expect(listOther.status).toBe(404)
    const asGuest = await server.api('POST', `/api/events/${a.eventId}/invitations`, {
      token: guestA.token,
      body: {},
    })
    expect(asGuest.status).toBe(403)
    expect(asGuest.body.error.code).toBe('FORBIDDEN')
    const noToken = await server.api('POST', `/api/events/${a.eventId}/invitations`, { body: {} })
    expect(noToken.status).toBe(401)
    expect(await server.counts()).toEqual(before)
  })
})

describe('join', () => {
  it('redeems a code: user in the lobby, session token, httpOnly cookie', async () => {
    const { eventId, lobbyId } = await server.createEvent('Conf')
    const { code } = await server.invite(eventId, { role: 'moderator' })
    const preview = await server.api('POST', '/api/auth/invitation', { body: { code } })
    expect(preview.body).toEqual({
      event: { id: eventId, name: 'Conf' },
      role: 'moderator',
      displayName: null,
    })

    const res = await server.api('POST', '/api/auth/join', { body: { code, displayName: ' Ana ' } })
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ eventId, displayName: 'Ana', role: 'moderator' })
    expect(res.body.event.id).toBe(eventId)
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toContain(`secura_session=${res.body.token}`)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    const members = await server.app.db.sql.query(
      'SELECT 1 FROM "Member" WHERE "conversationId" = $1 AND "userId" = $2',
      [lobbyId, res.body.user.id],
    )
    expect(members).toHaveLength(1)
    const sessions = await server.app.db.sql.query<{ tokenHash: string }>(
      'SELECT "tokenHash" FROM "Session" WHERE "userId" = $1',
      [res.body.user.id],
    )
    expect(sessions[0]?.tokenHash).toHaveLength(64)
    expect(sessions[0]?.tokenHash).not.toBe(res.body.token)
  })

  it('refuses used-up, expired, revoked and unknown codes with clear errors and writes nothing', async () => {
    const { eventId } = await server.createEvent()
    const used = await server.invite(eventId)
    expect(
      (await server.api('POST', '/api/auth/join', { body: { code: used.code, displayName: 'A' } })).status,
    ).toBe(200)
    const expired = await server.invite(eventId, { expiresAt: new Date(Date.now() + 60_000).toISOString() })
    await server.app.db.sql.query(
      `UPDATE "Invitation" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`,
      [expired.id],
    )
    const revoked = await server.invite(eventId)
    await server.api('DELETE', `/api/events/${eventId}/invitations/${revoked.id}`, { token: ADMIN_TOKEN })

    const before = await server.counts()
    const cases: [string, number, string | undefined][] = [
      [used.code, 403, 'used'],
      [expired.code, 403, 'expired'],
      [revoked.code, 403, 'revoked'],
      ['a'.repeat(43), 404, undefined],
    ]
    for (const [code, status, reason] of cases) {
      const res = await server.api('POST', '/api/auth/join', { body: { code, displayName: 'B' } })
      expect(res.status, reason).toBe(status)
      expect(res.body.error.message).toBeTruthy()
      if (reason) expect(res.body.error.details).toEqual({ reason })
    }
    for (const body of [
      { code: used.code },
      { code: 'short', displayName: 'B' },
      { code: used.code, displayName: 'x'.repeat(41) },
    ]) {
      const res = await server.api('POST', '/api/auth/join', { body })
      expect(res.status).toBe(400)
    }
    expect(await server.counts()).toEqual(before)
  })

  it('a shared code serves exactly maxUses guests', async () => {
    const { eventId } = await server.createEvent()
    const { code, id } = await server.invite(eventId, { maxUses: 2 })
    const results = await Promise.all(
      [1, 2, 3].map((i) => server.api('POST', '/api/auth/join', { body: { code, displayName: `G${i}` } })),
    )
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 403])
    const [row] = await server.app.db.sql.query<{ uses: number }>(
      'SELECT uses FROM "Invitation" WHERE id = $1',
      [id],
    )
    expect(row?.uses).toBe(2)
  })
})

describe('session', () => {
  it('me works with the bearer token and the cookie; logout revokes', async () => {
    const { eventId } = await server.createEvent()
    const guest = await server.join(eventId, 'Ana')
    const me = await server.api('GET', '/api/auth/me', { token: guest.token })
    expect(me.status).toBe(200)
    expect(me.body.user.id).toBe(guest.user.id)
    const byCookie = await server.api('GET', '/api/auth/me', {
      headers: { cookie: `secura_session=${guest.token}` },
    })
    expect(byCookie.body.user.id).toBe(guest.user.id)

    const out = await server.api('POST', '/api/auth/logout', { token: guest.token })
    expect(out.status).toBe(204)
    const after = await server.api('GET', '/api/auth/me', { token: guest.token })
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('UNAUTHORIZED')
  })

  it('an expired session is refused', async () => {
    const { eventId } = await server.createEvent()
    const guest = await server.join(eventId)
    await server.app.db.sql.query(
      `UPDATE "Session" SET "expiresAt" = now() - interval '1 second' WHERE "userId" = $1`,
      [guest.user.id],
    )
    expect((await server.api('GET', '/api/auth/me', { token: guest.token })).status).toBe(401)
  })

  it('cookie-authenticated writes need an allowed Origin', async () => {
    const { eventId } = await server.createEvent()
    const guest = await server.join(eventId)
    const cookie = `secura_session=${guest.token}`
    const foreign = await server.api('POST', '/api/auth/logout', {
      headers: { cookie, origin: 'https://evil.example' },
    })
    expect(foreign.status).toBe(403)
    const none = await server.api('POST', '/api/auth/logout', { headers: { cookie } })
    expect(none.status).toBe(403)
    expect((await server.api('GET', '/api/auth/me', { token: guest.token })).status).toBe(200)
    const own = await server.api('POST', '/api/auth/logout', {
      headers: { cookie, origin: 'http://localhost:3999' },
    })
    expect(own.status).toBe(204)
  })
})
