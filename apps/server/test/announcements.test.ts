import type { Event, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { chatApi, emitAck, nextEvent, quiet, record, useServer } from './helpers.ts'

/** Announcements, pins and the announcement-only lobby (protocol §3.3), over REST and the socket. */
const server = useServer()

async function cast(name: string) {
  const { eventId, lobbyId } = await server.createEvent(name)
  const organizer = await server.join(eventId, 'Org', 'organizer')
  const moderator = await server.join(eventId, 'Mod', 'moderator')
  const guest = await server.join(eventId, 'Guest')
  return { eventId, lobbyId, organizer, moderator, guest }
}
const settingsPath = (eventId: string) => `/api/events/${eventId}/settings`

describe('announcements', () => {
  it('an organizer announces over REST and the socket; the guest lists, dismisses, and the dismissal holds on every device', async () => {
    const { eventId, lobbyId, organizer, guest } = await cast('Announce')
    const org = chatApi(server, organizer.token)
    const me = chatApi(server, guest.token)

    const first = await org.send(lobbyId, 'Dinner at eight', { announcement: true })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ announcement: true, content: 'Dinner at eight' })
    const orgSocket = await server.connect({ token: organizer.token })
    const second = await emitAck<Message>(orgSocket, 'message:send', {
      conversationId: lobbyId,
      clientMessageId: crypto.randomUUID(),
      content: 'Shuttle leaves at midnight',
      announcement: true,
    })
    expect(second).toMatchObject({ ok: true, data: { announcement: true } })
    const plain = await org.send(lobbyId, 'just chatting')
    expect(plain.body.announcement).toBeUndefined()

    const listed = await me.get('/announcements')
    expect(listed.status).toBe(200)
    expect(listed.body.announcements.map((m: Message) => m.content)).toEqual([
      'Shuttle leaves at midnight',
      'Dinner at eight',
    ])

    // One device dismisses; the other hears it, and a reload (a new list) no longer has it.
    const phone = await server.connect({ token: guest.token })
    const laptop = await server.connect({ token: guest.token })
    const told = nextEvent<{ messageId: string }>(laptop, 'announcement:dismissed')
    const dismissed = await me.post(`/announcements/${first.body.id}/dismiss`)
    expect(dismissed).toMatchObject({ status: 200, body: { messageId: first.body.id } })
    expect(await told).toEqual({ messageId: first.body.id })
    const overSocket = await emitAck(phone, 'announcement:dismiss', { messageId: first.body.id })
    expect(overSocket).toEqual({ ok: true, data: { messageId: first.body.id } })
    expect((await server.counts()).AnnouncementDismissal).toBe(1)
    const after = await me.get('/announcements')
    expect(after.body.announcements.map((m: Message) => m.id)).toEqual([
      (second as { data: Message }).data.id,
    ])
    // Another guest still sees both.
    const other = await server.join(eventId, 'Other')
    const theirs = await chatApi(server, other.token).get('/announcements')
    expect(theirs.body.announcements).toHaveLength(2)

    // A deleted announcement leaves the list.
    await org.del(`/conversations/${lobbyId}/messages/${(second as { data: Message }).data.id}`)
    expect((await me.get('/announcements')).body.announcements).toEqual([])
  })

  it('refuses guests, moderators unless allowed, and other conversations, writing nothing', async () => {
    const { eventId, lobbyId, organizer, moderator, guest } = await cast('Announce rules')
    const before = await server.counts()
    const byGuest = await chatApi(server, guest.token).send(lobbyId, 'I am in charge', { announcement: true })
    expect(byGuest.status).toBe(403)
    expect(byGuest.body.error.code).toBe('FORBIDDEN')
    const modSocket = await server.connect({ token: moderator.token })
    const byModerator = await emitAck(modSocket, 'message:send', {
      conversationId: lobbyId,
      clientMessageId: crypto.randomUUID(),
      content: 'Mod news',
      announcement: true,
    })
    expect(byModerator).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect((await server.counts()).Message).toBe(before.Message)

    const group = await chatApi(server, organizer.token).post('/conversations', {
      kind: 'group',
      title: 'Crew',
      userIds: [guest.user.id],
    })
    const inGroup = await chatApi(server, organizer.token).send(group.body.id, 'News', { announcement: true })
    expect(inGroup.status).toBe(400)
    expect(inGroup.body.error.code).toBe('VALIDATION')

    const allowed = await server.api('PUT', settingsPath(eventId), {
      token: organizer.token,
      body: { moderatorsAnnounce: true },
    })
    expect(allowed.body).toMatchObject({ moderatorsAnnounce: true, announcementOnly: false })
    const now = await emitAck(modSocket, 'message:send', {
      conversationId: lobbyId,
      clientMessageId: crypto.randomUUID(),
      content: 'Mod news',
      announcement: true,
    })
    expect(now).toMatchObject({ ok: true, data: { announcement: true } })

    const notAnnouncement = await chatApi(server, guest.token).send(lobbyId, 'hello')
    const dismissPlain = await chatApi(server, guest.token).post(
      `/announcements/${notAnnouncement.body.id}/dismiss`,
    )
    expect(dismissPlain.status).toBe(400)
    const unknown = await chatApi(server, guest.token).post(`/announcements/${crypto.randomUUID()}/dismiss`)
    expect(unknown.status).toBe(404)
    const badId = await chatApi(server, guest.token).post('/announcements/not-an-id/dismiss')
    expect(badId.status).toBe(400)
  })
})

describe('announcement-only lobby', () => {
  it('guests read and react but cannot send, over either transport, even in a burst; staff still write', async () => {
    const { eventId, lobbyId, organizer, moderator, guest } = await cast('Quiet lobby')
    const guestSocket = await server.connect({ token: guest.token })
    const hello = await chatApi(server, organizer.token).send(lobbyId, 'Welcome')

    const updated = nextEvent<Event>(guestSocket, 'event:updated')
    const set = await server.api('PUT', settingsPath(eventId), {
      token: organizer.token,
      body: { announcementOnly: true },
    })
    expect(set.status).toBe(200)
    expect(await updated).toMatchObject({ id: eventId, announcementOnly: true })
    const me = await server.api('GET', '/api/auth/me', { token: guest.token })
    expect(me.body.event).toMatchObject({ announcementOnly: true })
    // A client that missed event:updated learns it with the announcements, on its next connect.
    const listed = await chatApi(server, guest.token).get('/announcements')
    expect(listed.body.settings).toEqual({ announcementOnly: true, moderatorsAnnounce: false })

    const before = (await server.counts()).Message
    const overRest = await chatApi(server, guest.token).send(lobbyId, 'can I speak?')
    expect(overRest.status).toBe(403)
    expect(overRest.body.error).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'announcement-only' },
    })
    expect(overRest.body.error.message).toMatch(/announcements only/)
    // A burst goes through the batched statement: every one refused, none written.
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        emitAck(guestSocket, 'message:send', {
          conversationId: lobbyId,
          clientMessageId: crypto.randomUUID(),
          content: `burst ${i}`,
        }),
      ),
    )
    for (const ack of burst)
      expect(ack).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', details: { reason: 'announcement-only' } },
      })
    expect((await server.counts()).Message).toBe(before)

    const reacted = await emitAck(guestSocket, 'message:reaction', { messageId: hello.body.id, emoji: '👍' })
    expect(reacted).toMatchObject({ ok: true })
    expect((await chatApi(server, moderator.token).send(lobbyId, 'Mods may write')).status).toBe(201)
    // Groups are not the lobby.
    const group = await chatApi(server, guest.token).post('/conversations', {
      kind: 'group',
      title: 'Friends',
      userIds: [moderator.user.id],
    })
    expect((await chatApi(server, guest.token).send(group.body.id, 'still fine here')).status).toBe(201)

    // The organizer switches it back over the socket; the guest may write again.
    const orgSocket = await server.connect({ token: organizer.token })
    const off = await emitAck<Event>(orgSocket, 'event:settings', { announcementOnly: false })
    expect(off).toMatchObject({ ok: true, data: { announcementOnly: false } })
    expect((await chatApi(server, guest.token).send(lobbyId, 'thanks')).status).toBe(201)
  })

  it('only the admin and organizers change settings; bad bodies are VALIDATION', async () => {
    const { eventId, moderator, guest } = await cast('Settings')
    const other = await cast('Elsewhere')
    for (const token of [guest.token, moderator.token]) {
      const res = await server.api('PUT', settingsPath(eventId), { token, body: { announcementOnly: true } })
      expect(res.status).toBe(403)
    }
    const guestSocket = await server.connect({ token: guest.token })
    expect(await emitAck(guestSocket, 'event:settings', { announcementOnly: true })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const foreign = await server.api('PUT', settingsPath(eventId), {
      token: other.organizer.token,
      body: { announcementOnly: true },
    })
    expect(foreign.status).toBe(404)
    const empty = await server.api('PUT', settingsPath(eventId), { token: other.organizer.token, body: {} })
    expect(empty.status).toBe(400)
    const wrongType = await server.api('PUT', settingsPath(other.eventId), {
      token: other.organizer.token,
      body: { announcementOnly: 'yes' },
    })
    expect(wrongType.status).toBe(400)
    const unknownEvent = await server.api('PUT', settingsPath(crypto.randomUUID()), {
      token: 'test-admin-token-0123456789abcdef',
      body: { announcementOnly: true },
    })
    expect(unknownEvent.status).toBe(404)
    const me = await server.api('GET', '/api/auth/me', { token: guest.token })
    expect(me.body.event).toMatchObject({ announcementOnly: false, moderatorsAnnounce: false })
  })
})

describe('pins', () => {
  it('organizers and moderators pin and unpin over REST and socket; the conversation hears it; guests cannot', async () => {
    const { lobbyId, organizer, moderator, guest } = await cast('Pins')
    const me = chatApi(server, guest.token)
    const m1 = (await me.send(lobbyId, 'the wifi password is on the back of your badge')).body as Message
    const m2 = (await me.send(lobbyId, 'lunch is in hall B')).body as Message
    const watcher = await server.connect({ token: guest.token })
    await emitAck(watcher, 'conversation:join', { conversationId: lobbyId })
    const pinnedEvents = record(watcher, 'message:pinned')

    const pinned = await chatApi(server, organizer.token).put(
      `/conversations/${lobbyId}/messages/${m1.id}/pin`,
    )
    expect(pinned.status).toBe(200)
    expect(pinned.body).toMatchObject({ id: m1.id, pinnedBy: organizer.user.id })
    expect(pinned.body.rev).toBeGreaterThan(m2.rev)
    const modSocket = await server.connect({ token: moderator.token })
    const byMod = await emitAck<Message>(modSocket, 'message:pin', { messageId: m2.id })
    expect(byMod).toMatchObject({ ok: true, data: { pinnedBy: moderator.user.id } })
    // Pinning again changes nothing: same rev, no broadcast.
    const again = await emitAck<Message>(modSocket, 'message:pin', { messageId: m2.id })
    expect(again).toMatchObject({ ok: true, data: { rev: (byMod as { data: Message }).data.rev } })

    const list = await me.get(`/conversations/${lobbyId}/pins`)
    expect(list.body.messages.map((m: Message) => m.id)).toEqual([m2.id, m1.id])

    const unpinned = await emitAck<Message>(modSocket, 'message:unpin', { messageId: m1.id })
    expect(unpinned.ok).toBe(true)
    expect((unpinned as { data: Message }).data.pinnedAt).toBeUndefined()
    const viaRest = await chatApi(server, organizer.token).del(
      `/conversations/${lobbyId}/messages/${m1.id}/pin`,
    )
    expect(viaRest.status).toBe(200)
    await quiet(200)
    expect(pinnedEvents.map((e) => [e.messageId, e.pinnedAt === null])).toEqual([
      [m1.id, false],
      [m2.id, false],
      [m1.id, true],
    ])

    // A guest: FORBIDDEN over both transports, nothing changes.
    const headBefore = (await me.get(`/conversations/${lobbyId}`)).body.lastRev
    expect((await me.put(`/conversations/${lobbyId}/messages/${m1.id}/pin`)).status).toBe(403)
    expect((await me.del(`/conversations/${lobbyId}/messages/${m2.id}/pin`)).status).toBe(403)
    expect(await emitAck(watcher, 'message:pin', { messageId: m1.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect((await me.get(`/conversations/${lobbyId}`)).body.lastRev).toBe(headBefore)
    expect((await me.get(`/conversations/${lobbyId}/pins`)).body.messages.map((m: Message) => m.id)).toEqual([
      m2.id,
    ])

    // Deleting a pinned message unpins it; pinning a tombstone is CONFLICT.
    await chatApi(server, organizer.token).del(`/conversations/${lobbyId}/messages/${m2.id}`)
    expect((await me.get(`/conversations/${lobbyId}/pins`)).body.messages).toEqual([])
    const onTombstone = await chatApi(server, organizer.token).put(
      `/conversations/${lobbyId}/messages/${m2.id}/pin`,
    )
    expect(onTombstone.status).toBe(409)
  })

  it('unknown and foreign messages are NOT_FOUND; a message of another conversation under this one too', async () => {
    const { lobbyId, organizer, guest } = await cast('Pin lookups')
    const other = await cast('Other event')
    const foreign = (await chatApi(server, other.guest.token).send(other.lobbyId, 'elsewhere'))
      .body as Message
    const org = chatApi(server, organizer.token)
    expect((await org.put(`/conversations/${lobbyId}/messages/${crypto.randomUUID()}/pin`)).status).toBe(404)
    expect((await org.put(`/conversations/${other.lobbyId}/messages/${foreign.id}/pin`)).status).toBe(404)
    const orgSocket = await server.connect({ token: organizer.token })
    expect(await emitAck(orgSocket, 'message:pin', { messageId: foreign.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    expect(await emitAck(orgSocket, 'message:pin', { messageId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })
    const dm = await chatApi(server, guest.token).post('/conversations', {
      kind: 'direct',
      userId: organizer.user.id,
    })
    const inDm = (await chatApi(server, guest.token).send(dm.body.id, 'private')).body as Message
    expect((await org.put(`/conversations/${lobbyId}/messages/${inDm.id}/pin`)).status).toBe(404)
    expect((await org.put(`/conversations/${dm.body.id}/messages/${inDm.id}/pin`)).status).toBe(200)
    expect((await chatApi(server, other.guest.token).get(`/conversations/${lobbyId}/pins`)).status).toBe(404)
  })

  it('sync brings a guest who was away exactly the pins, unpins and announcements made meanwhile', async () => {
    const { lobbyId, organizer, guest } = await cast('Offline pins')
    const me = chatApi(server, guest.token)
    const org = chatApi(server, organizer.token)
    const a = (await me.send(lobbyId, 'a')).body as Message
    const b = (await me.send(lobbyId, 'b')).body as Message
    const c = (await me.send(lobbyId, 'c')).body as Message
    await org.put(`/conversations/${lobbyId}/messages/${b.id}/pin`)
    const { lastRev } = (await me.get(`/conversations/${lobbyId}`)).body

    // Away: b is unpinned, a pinned, an announcement posted; c untouched.
    await org.put(`/conversations/${lobbyId}/messages/${a.id}/pin`)
    await org.del(`/conversations/${lobbyId}/messages/${b.id}/pin`)
    const news = (await org.send(lobbyId, 'Doors close at ten', { announcement: true })).body as Message

    const sync = await me.post('/sync', { cursors: [{ conversationId: lobbyId, rev: lastRev }] })
    const [change] = sync.body.changes
    expect(change.messages.map((m: Message) => m.id)).toEqual([a.id, b.id, news.id])
    const byId = new Map<string, Message>(change.messages.map((m: Message) => [m.id, m]))
    expect(byId.get(a.id)?.pinnedAt).toEqual(expect.any(String))
    expect(byId.get(b.id)?.pinnedAt).toBeUndefined()
    expect(byId.get(news.id)?.announcement).toBe(true)
    expect(byId.has(c.id)).toBe(false)
    const sinceRev = await me.get(`/conversations/${lobbyId}/messages?sinceRev=${lastRev}`)
    expect(sinceRev.body.messages.map((m: Message) => m.id)).toEqual([a.id, b.id, news.id])
  })
})
