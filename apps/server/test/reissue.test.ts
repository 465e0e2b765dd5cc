import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, useServer } from './helpers.ts'

/** Re-issued access: a new personal link for an existing guest, signing in as the same user. */
const server = useServer()
let eventId: string
let lobbyId: string

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Getting back in'))
})

const access = (userId: string, token = ADMIN_TOKEN) =>
  server.api('POST', `/api/events/${eventId}/guests/${userId}/access`, { token })
const redeem = (code: string, displayName = 'Someone else') =>
  server.api('POST', '/api/auth/join', { body: { code, displayName } })

describe('re-issued access', () => {
  it('signs in as the same user, history intact, once; the old invitation stays used', async () => {
    const { code: original } = await server.invite(eventId)
    const joined = await redeem(original, 'Returning')
    const guest = joined.body
    const sent = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: guest.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'before signing out' },
    })
    expect(sent.status).toBe(201)
    await server.api('POST', '/api/auth/logout', { token: guest.token })
    expect((await redeem(original)).body.error).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'used' },
    })

    const issued = await access(guest.user.id)
    expect(issued.status).toBe(201)
    expect(issued.body.invitation).toMatchObject({ displayName: 'Returning', maxUses: 1 })
    const back = await redeem(issued.body.code)
    expect(back.status).toBe(200)
    expect(back.body.user).toMatchObject({ id: guest.user.id, displayName: 'Returning' })
    expect(back.body.token).not.toBe(guest.token)
    const history = await server.api('GET', `/api/chat/conversations/${lobbyId}/messages`, {
      token: back.body.token,
    })
    expect(history.body.messages.map((m: { id: string }) => m.id)).toContain(sent.body.id)
    const users = await server.counts()

    const twice = await redeem(issued.body.code)
    expect(twice.status).toBe(403)
    expect(twice.body.error.details).toEqual({ reason: 'used' })
    expect(await server.counts()).toEqual(users)
  })

  it('an organizer re-issues for their event; a guest may not; unknown and removed guests are refused', async () => {
    const organizer = await server.join(eventId, 'Desk', 'organizer')
    const guest = await server.join(eventId, 'Lost Phone')
    expect((await access(guest.user.id, organizer.token)).status).toBe(201)
    expect((await access(guest.user.id, guest.token)).status).toBe(403)
    expect((await access('0190a0a0-0000-7000-8000-000000000000')).status).toBe(404)

    // Removed: no new link, and a link issued before the removal opens nothing.
    const earlier = await access(guest.user.id)
    await server.api('POST', `/api/events/${eventId}/guests/${guest.user.id}/remove`, {
      token: ADMIN_TOKEN,
      body: {},
    })
    const refused = await access(guest.user.id)
    expect(refused.status).toBe(403)
    const before = await server.counts()
    const late = await redeem(earlier.body.code)
    expect(late.status).toBe(403)
    expect(late.body.error.details).toEqual({ reason: 'removed' })
    expect(await server.counts()).toEqual(before)
  })
})

describe('add a device', () => {
  it('a one-time, short-lived link: a new session as the same user, revocable on its own', async () => {
    const phone = await server.join(eventId, 'Two Devices')
    const link = await server.api('POST', '/api/auth/device', { token: phone.token })
    expect(link.status).toBe(201)
    const left = new Date(link.body.expiresAt).getTime() - Date.now()
    expect(left).toBeGreaterThan(60_000)
    expect(left).toBeLessThanOrEqual(5 * 60_000)
    const laptop = await redeem(link.body.code)
    expect(laptop.status).toBe(200)
    expect(laptop.body.user.id).toBe(phone.user.id)
    expect(laptop.body.token).not.toBe(phone.token)

    // Used twice: refused, nothing written.
    const before = await server.counts()
    const twice = await redeem(link.body.code)
    expect(twice.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'used' } })
    expect(await server.counts()).toEqual(before)

    // The laptop signs out; the phone stays signed in.
    await server.api('POST', '/api/auth/logout', { token: laptop.body.token })
    expect((await server.api('GET', '/api/auth/me', { token: laptop.body.token })).status).toBe(401)
    expect((await server.api('GET', '/api/auth/me', { token: phone.token })).status).toBe(200)
  })

  it('an expired device link is refused; signed-out callers get none', async () => {
    const phone = await server.join(eventId, 'Slow Scanner')
    const link = await server.api('POST', '/api/auth/device', { token: phone.token })
    await server.app.db.sql.query(
      `UPDATE "Invitation" SET "expiresAt" = now() - interval '1 second' WHERE "userId" = $1::uuid`,
      [phone.user.id],
    )
    const late = await redeem(link.body.code)
    expect(late.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'expired' } })
    expect((await server.api('POST', '/api/auth/device', {})).status).toBe(401)
  })
})

describe('the invitation list', () => {
  it('shows who redeemed each used invitation; an unused one shows nobody', async () => {
    const { code, id } = await server.invite(eventId)
    const unused = await server.invite(eventId)
    await redeem(code, 'Redeemer')
    const list = await server.api('GET', `/api/events/${eventId}/invitations`, { token: ADMIN_TOKEN })
    const byId = new Map(list.body.invitations.map((i: { id: string }) => [i.id, i]))
    expect(byId.get(id)).toMatchObject({ redeemedBy: [{ displayName: 'Redeemer', id: expect.any(String) }] })
    expect(byId.get(unused.id)).toMatchObject({ redeemedBy: [] })
  })
})

describe('the event list', () => {
  it('counts who is online and the messages of today, per event', async () => {
    const { eventId: quiet } = await server.createEvent('Quiet event')
    const talker = await server.join(eventId, 'Counted')
    await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: talker.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'counted today' },
    })
    const socket = await server.connect({ token: talker.token })
    const list = await server.api('GET', '/api/admin/events', { token: ADMIN_TOKEN })
    const byId = new Map(list.body.events.map((e: { id: string }) => [e.id, e]))
    const busy = byId.get(eventId) as { counts: { online: number; messagesToday: number } }
    // Every message of this file's event is in its lobby, all sent today.
    const history = await server.api('GET', `/api/chat/conversations/${lobbyId}/messages?limit=100`, {
      token: talker.token,
    })
    const n = history.body.messages.length
    expect(busy.counts).toEqual({ online: 1, messagesToday: n })
    expect(byId.get(quiet)).toMatchObject({ counts: { online: 0, messagesToday: 0 } })
    socket.disconnect()
  })
})
