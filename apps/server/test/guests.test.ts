import { LIMITS } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, useServer } from './helpers.ts'

// One test joins a big event's worth of guests from one address.
const server = useServer({ LIMIT_JOINS_PER_MIN: '1000' })

const uuid = (n: number) => `0190a6c4-1f2e-7000-8000-${n.toString(16).padStart(12, '0')}`

describe('GET /api/chat/users?ids=', () => {
  it('names exactly the asked users of my event, and never those of another', async () => {
    const { eventId } = await server.createEvent('Names')
    const ana = await server.join(eventId, 'Ana')
    const guests = await Promise.all(['Zoe', 'Yann', 'Xia'].map((n) => server.join(eventId, n)))
    const stranger = await server.join((await server.createEvent('Elsewhere')).eventId, 'Stranger')
    const ids = [guests[0]!.user.id, guests[2]!.user.id, stranger.user.id, uuid(9)]

    const res = await server.api('GET', `/api/chat/users?ids=${ids.join(',')}`, { token: ana.token })
    expect(res.status).toBe(200)
    expect(res.body.users.map((u: { displayName: string }) => u.displayName)).toEqual(['Xia', 'Zoe'])
    expect(res.body.users[0]).toEqual({
      id: guests[2]!.user.id,
      displayName: 'Xia',
      role: 'guest',
      status: 'offline',
      lastSeenAt: expect.any(String),
    })
  })

  it('answers beyond the first directory page (a big event)', async () => {
    const { eventId } = await server.createEvent('Big')
    const { code } = await server.invite(eventId, { maxUses: 80 })
    const joined = []
    for (let i = 0; i < LIMITS.pageDefault + 5; i++) {
      const res = await server.api('POST', '/api/auth/join', {
        body: { code, displayName: `Guest ${String(i).padStart(2, '0')}` },
      })
      joined.push(res.body)
    }
    const last = joined.at(-1)!
    const firstPage = await server.api('GET', '/api/chat/users', { token: joined[0].token })
    expect(firstPage.body.users.map((u: { id: string }) => u.id)).not.toContain(last.user.id)
    const byId = await server.api('GET', `/api/chat/users?ids=${last.user.id}`, { token: joined[0].token })
    expect(byId.body.users).toMatchObject([{ id: last.user.id, displayName: last.user.displayName }])
  })

  it('refuses more than a page of ids, and ids that are not uuids', async () => {
    const { eventId } = await server.createEvent('Refusals')
    const { token } = await server.join(eventId, 'Ana')
    const many = Array.from({ length: LIMITS.pageMax + 1 }, (_, i) => uuid(i + 1)).join(',')
    const tooMany = await server.api('GET', `/api/chat/users?ids=${many}`, { token })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error.code).toBe('VALIDATION')
    expect((await server.api('GET', '/api/chat/users?ids=ana,bo', { token })).status).toBe(400)
    expect((await server.api('GET', `/api/chat/users?ids=${uuid(1)}`)).status).toBe(401)
  })
})

describe('GET /api/events/:eventId/guests', () => {
  it('lists the guests with presence for the admin and the event organizers only', async () => {
    const { eventId } = await server.createEvent('Guest list')
    const organizer = await server.join(eventId, 'Olga', 'organizer')
    const guest = await server.join(eventId, 'Ben')
    const other = await server.join((await server.createEvent('Other')).eventId, 'Otto', 'organizer')
    const socket = await server.connect({ token: guest.token })
    const path = `/api/events/${eventId}/guests`

    const asAdmin = await server.api('GET', path, { token: ADMIN_TOKEN })
    expect(asAdmin.status).toBe(200)
    expect(asAdmin.body).toEqual({
      guests: [
        expect.objectContaining({ displayName: 'Ben', role: 'guest', status: 'online' }),
        expect.objectContaining({ displayName: 'Olga', role: 'organizer', status: 'offline' }),
      ],
      total: 2,
      online: 1,
    })
    const asOrganizer = await server.api('GET', `${path}?q=ol&limit=10`, { token: organizer.token })
    expect(asOrganizer.status).toBe(200)
    expect(asOrganizer.body.guests.map((g: { displayName: string }) => g.displayName)).toEqual(['Olga'])
    expect(asOrganizer.body.total).toBe(2)

    expect((await server.api('GET', path, { token: guest.token })).status).toBe(403)
    expect((await server.api('GET', path, { token: other.token })).status).toBe(404)
    expect((await server.api('GET', path)).status).toBe(401)
    expect((await server.api('GET', `/api/events/${uuid(7)}/guests`, { token: ADMIN_TOKEN })).status).toBe(
      404,
    )
    expect((await server.api('GET', `${path}?limit=0`, { token: ADMIN_TOKEN })).status).toBe(400)
    socket.disconnect()
  })
})
