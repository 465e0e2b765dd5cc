import type { JoinResponse } from '@secura/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSocket, collect, emitAck, quiet, type Recorder, useServer } from '../helpers.ts'
import { SecurityReport } from './report.ts'

/**
 * The authorization matrix (OWASP API1/API5, WebSocket authorization): every REST endpoint and every
 * socket event, asked by every kind of caller, against a group that only `member` and `owner` belong to.
 * Each refused call must answer the expected code, write nothing and broadcast nothing.
 */

type Caller =
  | 'none'
  | 'malformed'
  | 'expired'
  | 'revoked'
  | 'otherEvent'
  | 'nonMember'
  | 'moderator'
  | 'organizer'
  | 'member'
const CALLERS: Caller[] = [
  'none',
  'malformed',
  'expired',
  'revoked',
  'otherEvent',
  'nonMember',
  'moderator',
  'organizer',
  'member',
]
const SIGNED_OUT: Caller[] = ['none', 'malformed', 'expired', 'revoked']

const server = useServer({
  LIMIT_SEND_PER_SEC: '1000',
  LIMIT_SEND_BURST: '1000',
  LIMIT_EVENTS_PER_SEC: '1000',
  LIMIT_JOINS_PER_MIN: '10000',
  // The matrix sends dozens of wrong admin tokens from one address on purpose (hardening.test.ts checks the throttle).
  LIMIT_ADMIN_FAILURES_PER_MIN: '10000',
})
const token: Partial<Record<Caller, string>> = {}
const guests: Record<string, JoinResponse> = {}
let eventId: string
let lobbyId: string
let groupId: string
let watcher: ClientSocket
let seen: Recorder
const report = new SecurityReport(
  'authorization',
  'authorization matrix, every endpoint and event × nine callers',
)

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Matrix'))
  const other = await server.createEvent('Elsewhere')
  guests.owner = await server.join(eventId, 'Owner')
  guests.member = await server.join(eventId, 'Member')
  guests.nonMember = await server.join(eventId, 'Outsider')
  guests.moderator = await server.join(eventId, 'Mod', 'moderator')
  guests.organizer = await server.join(eventId, 'Org', 'organizer')
  guests.otherEvent = await server.join(other.eventId, 'Stranger', 'organizer')
  guests.target = await server.join(eventId, 'Target')
  const expired = await server.join(eventId, 'Expired')
  const revoked = await server.join(eventId, 'Revoked')
  await server.app.db.sql.query(
    `UPDATE "Session" SET "expiresAt" = now() - interval '1 minute' WHERE "userId" = $1`,
    [expired.user.id],
  )
  await server.api('POST', '/api/auth/logout', { token: revoked.token })
  Object.assign(token, {
    malformed: '%%%not-a-token%%%',
    expired: expired.token,
    revoked: revoked.token,
    otherEvent: guests.otherEvent.token,
    nonMember: guests.nonMember.token,
    moderator: guests.moderator.token,
    organizer: guests.organizer.token,
    member: guests.member.token,
  })
  const group = await server.api('POST', '/api/chat/conversations', {
    token: guests.owner.token,
    body: { kind: 'group', title: 'Private', userIds: [guests.member.user.id] },
  })
  groupId = group.body.id
  watcher = await server.connect({ token: guests.owner.token })
  await emitAck(watcher, 'conversation:join', { conversationId: groupId })
  seen = collect(watcher)
})
afterAll(async () => {
  report.finish()
})

/** A fresh message of the owner in the group, for edit/delete/react cases. */
async function ownerMessage(): Promise<string> {
  const res = await server.api('POST', `/api/chat/conversations/${groupId}/messages`, {
    token: guests.owner!.token,
    body: { clientMessageId: crypto.randomUUID(), content: 'private' },
  })
  return res.body.id
}

/** A fresh message of the owner in the lobby (everyone of the event sees it), for pin cases. */
async function lobbyMessage(): Promise<string> {
  const res = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
    token: guests.owner!.token,
    body: { clientMessageId: crypto.randomUUID(), content: 'for the pin board' },
  })
  return res.body.id
}

/** A fresh announcement of the organizer in the lobby, for dismissal cases. */
async function announcement(): Promise<string> {
  const res = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
    token: guests.organizer!.token,
    body: { clientMessageId: crypto.randomUUID(), content: 'Doors open', announcement: true },
  })
  return res.body.id
}

/** A multipart/form-data body with one small text file, as a browser's FormData sends it. */
function multipartText(text: string) {
  const boundary = `----secura${crypto.randomUUID()}`
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    rawBody: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--${boundary}--\r\n`,
  }
}

/** A file of the owner's, sent in the group, for the serving case. */
async function ownerAttachment(): Promise<string> {
  const upload = await server.api('POST', `/api/chat/conversations/${groupId}/attachments`, {
    token: guests.owner!.token,
    ...multipartText('the programme'),
  })
  await server.api('POST', `/api/chat/conversations/${groupId}/messages`, {
    token: guests.owner!.token,
    body: { clientMessageId: crypto.randomUUID(), content: '', attachmentIds: [upload.body.id] },
  })
  return upload.body.id
}

type Expected = Partial<Record<Caller, number>>
/** Signed-out callers get 401; callers who cannot see the group get 404 (existence is not revealed). */
const hidden = (member: number, extra: Expected = {}): Expected => ({
  none: 401,
  malformed: 401,
  expired: 401,
  revoked: 401,
  otherEvent: 404,
  nonMember: 404,
  moderator: 404,
  organizer: 404,
  member,
  ...extra,
})

/** Anyone signed in, of any event: their own things only. */
const signedIn = (status: number): Expected => ({
  none: 401,
  malformed: 401,
  expired: 401,
  revoked: 401,
  otherEvent: status,
  nonMember: status,
  moderator: status,
  organizer: status,
  member: status,
})

/** Moderation: organizers (and, per route, moderators) of the event; a guest is FORBIDDEN. */
const staffOnly: Expected = {
  none: 401,
  malformed: 401,
  expired: 401,
  revoked: 401,
  otherEvent: 404,
  nonMember: 403,
  member: 403,
  organizer: 200,
}

interface RestCase {
  name: string
  expected: Expected
  request: () => Promise<{
    method: string
    path: string
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
  }>
}

const restCases: RestCase[] = [
  {
    name: 'GET conversation',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/conversations/${groupId}` }),
  },
  {
    name: 'GET history',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/conversations/${groupId}/messages` }),
  },
  {
    name: 'GET changes',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/conversations/${groupId}/messages?sinceRev=0` }),
  },
  {
    name: 'GET history around a seq',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/conversations/${groupId}/messages?aroundSeq=1` }),
  },
  {
    name: 'GET history around a message',
    expected: hidden(200),
    request: async () => ({
      method: 'GET',
      path: `/api/chat/conversations/${groupId}/messages?aroundId=${await ownerMessage()}`,
    }),
  },
  {
    name: 'GET history forward',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/conversations/${groupId}/messages?afterSeq=0` }),
  },
  {
    name: 'GET search (in the group)',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/search?q=private&conversationId=${groupId}` }),
  },
  {
    name: 'POST message',
    expected: hidden(201),
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${groupId}/messages`,
      body: { clientMessageId: crypto.randomUUID(), content: 'hi' },
    }),
  },
  {
    name: 'PUT message (not the sender)',
    expected: hidden(403),
    request: async () => ({
      method: 'PUT',
      path: `/api/chat/conversations/${groupId}/messages/${await ownerMessage()}`,
      body: { content: 'x' },
    }),
  },
  {
    name: 'DELETE message (not the sender, not staff)',
    expected: hidden(403),
    request: async () => ({
      method: 'DELETE',
      path: `/api/chat/conversations/${groupId}/messages/${await ownerMessage()}`,
    }),
  },
  {
    name: 'POST reaction',
    expected: hidden(200),
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${groupId}/messages/${await ownerMessage()}/reaction`,
      body: { emoji: '👍' },
    }),
  },
  {
    name: 'POST mark-as-read',
    expected: hidden(200),
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${groupId}/mark-as-read`,
      body: { seq: 1 },
    }),
  },
  {
    name: 'POST members (not the owner)',
    expected: hidden(403),
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${groupId}/members`,
      body: { userIds: [guests.nonMember!.user.id] },
    }),
  },
  {
    name: 'DELETE members (not the owner)',
    expected: hidden(403),
    request: async () => ({
      method: 'DELETE',
      path: `/api/chat/conversations/${groupId}/members`,
      body: { userIds: [guests.owner!.user.id] },
    }),
  },
  {
    name: 'PUT title (not the owner)',
    expected: hidden(403),
    request: async () => ({
      method: 'PUT',
      path: `/api/chat/conversations/${groupId}/title`,
      body: { title: 'Taken over' },
    }),
  },
  {
    name: 'POST attachment (upload)',
    expected: hidden(201),
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${groupId}/attachments`,
      ...multipartText('notes'),
    }),
  },
  {
    // Organizers see every attachment of their event (review, export); moderators only reported ones.
    name: 'GET attachment',
    expected: hidden(200, { organizer: 200 }),
    request: async () => ({ method: 'GET', path: `/api/attachments/${await ownerAttachment()}/file` }),
  },
  {
    name: 'POST admin events',
    expected: Object.fromEntries(CALLERS.map((c) => [c, 401])),
    request: async () => ({ method: 'POST', path: '/api/admin/events', body: { name: 'x' } }),
  },
  {
    name: 'GET admin event storage',
    expected: Object.fromEntries(CALLERS.map((c) => [c, 401])),
    request: async () => ({ method: 'GET', path: `/api/admin/events/${eventId}/storage` }),
  },
  {
    name: 'DELETE admin event',
    expected: Object.fromEntries(CALLERS.map((c) => [c, 401])),
    request: async () => ({ method: 'DELETE', path: `/api/admin/events/${eventId}` }),
  },
  {
    name: 'POST invitation',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 404,
      nonMember: 403,
      moderator: 403,
      member: 403,
      organizer: 201,
    },
    request: async () => ({ method: 'POST', path: `/api/events/${eventId}/invitations`, body: {} }),
  },
  {
    name: 'POST re-issue access',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 404,
      nonMember: 403,
      moderator: 403,
      member: 403,
      organizer: 201,
    },
    request: async () => ({
      method: 'POST',
      path: `/api/events/${eventId}/guests/${guests.target!.user.id}/access`,
    }),
  },
  {
    name: 'GET invitations',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 404,
      nonMember: 403,
      moderator: 403,
      member: 403,
      organizer: 200,
    },
    request: async () => ({ method: 'GET', path: `/api/events/${eventId}/invitations` }),
  },
  ...(
    [
      ['POST mute', 'POST', 'mute', { minutes: 5 }, 200],
      ['POST remove', 'POST', 'remove', {}, 200],
      ['POST restore', 'POST', 'restore', undefined, 200],
      ['PUT role (organizers only)', 'PUT', 'role', { role: 'guest' }, 403],
    ] as const
  ).map(
    ([name, method, what, body, moderator]): RestCase => ({
      name,
      expected: { ...staffOnly, moderator },
      request: async () => ({
        method,
        path: `/api/events/${eventId}/guests/${guests.target!.user.id}/${what}`,
        ...(body !== undefined && { body }),
      }),
    }),
  ),
  {
    name: 'POST report',
    expected: hidden(201),
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${groupId}/messages/${await ownerMessage()}/report`,
      body: { reason: 'spam' },
    }),
  },
  {
    name: 'GET report queue',
    expected: { ...staffOnly, moderator: 200 },
    request: async () => ({ method: 'GET', path: `/api/events/${eventId}/reports` }),
  },
  {
    name: 'POST resolve report',
    expected: { ...staffOnly, moderator: 200 },
    request: async () => {
      const messageId = await ownerMessage()
      const report = await server.api(
        'POST',
        `/api/chat/conversations/${groupId}/messages/${messageId}/report`,
        {
          token: guests.member!.token,
          body: { reason: 'spam' },
        },
      )
      return {
        method: 'POST',
        path: `/api/events/${eventId}/reports/${report.body.id}/resolve`,
        body: { action: 'dismiss' },
      }
    },
  },
  {
    name: 'GET moderation log',
    expected: { ...staffOnly, moderator: 200 },
    request: async () => ({ method: 'GET', path: `/api/events/${eventId}/moderation` }),
  },
  ...(['export', 'export/lobby.html'] as const).map(
    (what): RestCase => ({
      name: `GET ${what}`,
      expected: { ...staffOnly, moderator: 403 },
      request: async () => ({ method: 'GET', path: `/api/events/${eventId}/${what}` }),
    }),
  ),
  {
    // The organizer's 200 would end the matrix's event: event-end.test.ts has it.
    name: 'POST end (organizers only)',
    expected: { ...staffOnly, moderator: 403, organizer: undefined },
    request: async () => ({ method: 'POST', path: `/api/events/${eventId}/end` }),
  },
  ...(['PUT', 'DELETE'] as const).map(
    (method): RestCase => ({
      name: `${method} pin (organizers and moderators)`,
      expected: { ...staffOnly, moderator: 200 },
      request: async () => ({
        method,
        path: `/api/chat/conversations/${lobbyId}/messages/${await lobbyMessage()}/pin`,
      }),
    }),
  ),
  {
    name: 'GET pins',
    expected: hidden(200),
    request: async () => ({ method: 'GET', path: `/api/chat/conversations/${groupId}/pins` }),
  },
  {
    name: 'PUT pin in the group (members are guests)',
    expected: hidden(403),
    request: async () => ({
      method: 'PUT',
      path: `/api/chat/conversations/${groupId}/messages/${await ownerMessage()}/pin`,
    }),
  },
  {
    name: 'POST announcement (organizers)',
    expected: { ...staffOnly, moderator: 403, organizer: 201 },
    request: async () => ({
      method: 'POST',
      path: `/api/chat/conversations/${lobbyId}/messages`,
      body: { clientMessageId: crypto.randomUUID(), content: 'News', announcement: true },
    }),
  },
  {
    name: 'GET announcements',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 200,
      nonMember: 200,
      moderator: 200,
      organizer: 200,
      member: 200,
    },
    request: async () => ({ method: 'GET', path: '/api/chat/announcements' }),
  },
  {
    name: 'POST dismiss announcement',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 404,
      nonMember: 200,
      moderator: 200,
      organizer: 200,
      member: 200,
    },
    request: async () => ({
      method: 'POST',
      path: `/api/chat/announcements/${await announcement()}/dismiss`,
    }),
  },
  {
    name: 'PUT event settings (organizers)',
    expected: { ...staffOnly, moderator: 403 },
    // A harmless setting: the matrix sends in the lobby as a guest afterwards.
    request: async () => ({
      method: 'PUT',
      path: `/api/events/${eventId}/settings`,
      body: { moderatorsAnnounce: false },
    }),
  },
  {
    name: 'POST device link',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 201,
      nonMember: 201,
      moderator: 201,
      organizer: 201,
      member: 201,
    },
    request: async () => ({ method: 'POST', path: '/api/auth/device' }),
  },
  {
    name: 'PUT conversation mute',
    expected: hidden(200),
    request: async () => ({
      method: 'PUT',
      path: `/api/chat/conversations/${groupId}/mute`,
      body: { muted: true },
    }),
  },
  {
    name: 'GET push key',
    expected: signedIn(200),
    request: async () => ({ method: 'GET', path: '/api/push/key' }),
  },
  {
    name: 'POST push subscription',
    expected: signedIn(201),
    request: async () => ({
      method: 'POST',
      path: '/api/push/subscriptions',
      body: {
        endpoint: `https://push.example.com/${crypto.randomUUID()}`,
        keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
      },
    }),
  },
  {
    name: 'DELETE push subscription',
    expected: signedIn(204),
    request: async () => ({
      method: 'DELETE',
      path: '/api/push/subscriptions',
      body: { endpoint: 'https://push.example.com/none' },
    }),
  },
  {
    name: 'GET notification preferences',
    expected: signedIn(200),
    request: async () => ({ method: 'GET', path: '/api/chat/notifications' }),
  },
  {
    name: 'PUT quiet hours',
    expected: signedIn(200),
    request: async () => ({
      method: 'PUT',
      path: '/api/chat/notifications/quiet-hours',
      body: { quietHours: { start: '23:00', end: '07:00', timeZone: 'Europe/Paris' } },
    }),
  },
  {
    name: 'GET me',
    expected: {
      none: 401,
      malformed: 401,
      expired: 401,
      revoked: 401,
      otherEvent: 200,
      nonMember: 200,
      moderator: 200,
      organizer: 200,
      member: 200,
    },
    request: async () => ({ method: 'GET', path: '/api/auth/me' }),
  },
]

describe('REST authorization matrix', () => {
  it.each(restCases)('$name', async ({ name, expected, request }) => {
    for (const caller of CALLERS) {
      const want = expected[caller]
      if (want === undefined) continue
      await report.check('REST', name, async () => {
        const { method, path, body, rawBody, headers: given } = await request()
        seen.clear()
        const before = await server.counts()
        const headers: Record<string, string> = {
          ...given,
          ...(caller !== 'none' && { authorization: `Bearer ${token[caller]}` }),
        }
        const res = await server.api(method, path, {
          headers,
          ...(body !== undefined && { body }),
          ...(rawBody !== undefined && { rawBody }),
        })
        expect(res.status, `${caller}: ${method} ${path}`).toBe(want)
        if (want >= 400) {
          expect(res.body.error.code).toBe({ 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[want])
          expect(await server.counts(), `${caller} wrote something`).toEqual(before)
          await quiet(30)
          expect(seen.names('user:status'), `${caller} caused a broadcast`).toEqual([])
        }
      })
    }
  })

  it('sync and the directory never leak another conversation or event', async () => {
    for (const caller of ['otherEvent', 'nonMember', 'moderator', 'organizer'] as const) {
      await report.check('leak check', 'sync and conversation list', async () => {
        const sync = await server.api('POST', '/api/chat/sync', {
          token: token[caller],
          body: { cursors: [{ conversationId: groupId, rev: 0 }] },
        })
        expect(sync.status).toBe(200)
        expect(sync.body.changes).toEqual([])
        const list = await server.api('GET', '/api/chat/conversations', { token: token[caller] })
        expect(list.body.conversations.map((c: { id: string }) => c.id)).not.toContain(groupId)
      })
    }
    await report.check('leak check', 'directory across events', async () => {
      const directory = await server.api('GET', '/api/chat/users?q=Stranger', { token: token.member })
      expect(directory.body.users).toEqual([])
    })
    for (const caller of SIGNED_OUT) {
      await report.check('leak check', 'sync signed out', async () => {
        const headers: Record<string, string> =
          caller === 'none' ? {} : { authorization: `Bearer ${token[caller]}` }
        const sync = await server.api('POST', '/api/chat/sync', { headers, body: { cursors: [] } })
        expect(sync.status).toBe(401)
      })
    }
  })

  it('search never finds a message the searcher cannot see', async () => {
    const secret = await ownerMessage()
    // The stranger's lobby, in another event: found by the stranger only.
    const strangerLobby = (await server.api('GET', '/api/chat/conversations', { token: token.otherEvent }))
      .body.conversations[0].id as string
    const theirs = await server.api('POST', `/api/chat/conversations/${strangerLobby}/messages`, {
      token: token.otherEvent,
      body: { clientMessageId: crypto.randomUUID(), content: 'private' },
    })
    expect(theirs.status).toBe(201)
    for (const caller of ['otherEvent', 'nonMember', 'moderator', 'organizer', 'member'] as const) {
      await report.check('leak check', 'search', async () => {
        const res = await server.api('GET', '/api/chat/search?q=private&limit=50', { token: token[caller] })
        expect(res.status).toBe(200)
        const hits = res.body.hits as { messageId: string; conversationId: string }[]
        const ids = hits.map((h) => h.messageId)
        const conversations = new Set(hits.map((h) => h.conversationId))
        expect(ids.includes(theirs.body.id), `${caller} found another event's message`).toBe(
          caller === 'otherEvent',
        )
        if (caller === 'otherEvent') expect(conversations).toEqual(new Set([strangerLobby]))
        if (caller === 'member') expect(ids).toContain(secret)
        else expect(conversations.has(groupId), `${caller} found the group's message`).toBe(false)
      })
    }
    for (const caller of SIGNED_OUT) {
      await report.check('leak check', 'search signed out', async () => {
        const headers: Record<string, string> =
          caller === 'none' ? {} : { authorization: `Bearer ${token[caller]}` }
        expect((await server.api('GET', '/api/chat/search?q=private', { headers })).status).toBe(401)
      })
    }
  })

  it('staff may delete others’ messages in the lobby, a guest may not', async () => {
    const posted = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: guests.owner!.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'lobby' },
    })
    const path = `/api/chat/conversations/${lobbyId}/messages/${posted.body.id}`
    const target = 'DELETE lobby message (staff only)'
    await report.check('REST', target, async () => {
      expect((await server.api('DELETE', path, { token: token.nonMember })).status).toBe(403)
    })
    await report.check('REST', target, async () => {
      expect((await server.api('DELETE', path, { token: token.moderator })).status).toBe(200)
    })
    const again = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
      token: guests.owner!.token,
      body: { clientMessageId: crypto.randomUUID(), content: 'lobby 2' },
    })
    await report.check('REST', target, async () => {
      const deleted = await server.api(
        'DELETE',
        `/api/chat/conversations/${lobbyId}/messages/${again.body.id}`,
        { token: token.organizer },
      )
      expect(deleted.body).toMatchObject({ content: '', deletedBy: guests.organizer!.user.id })
    })
  })

  it('a mention names only someone who can see the conversation; @here is for organizers in the lobby', async () => {
    const send = (caller: Caller, conversationId: string, extra: Record<string, unknown>) =>
      server.api('POST', `/api/chat/conversations/${conversationId}/messages`, {
        token: token[caller],
        body: { clientMessageId: crypto.randomUUID(), content: 'hi', ...extra },
      })
    const target = 'POST message with mentions'
    for (const outsider of ['nonMember', 'otherEvent', 'organizer'] as const) {
      await report.check('REST', target, async () => {
        const before = await server.counts()
        const res = await send('member', groupId, { mentions: [guests[outsider]!.user.id] })
        expect(res.status, `mention of ${outsider}`).toBe(400)
        expect(res.body.error.code).toBe('VALIDATION')
        expect(await server.counts()).toEqual(before)
      })
    }
    await report.check('REST', target, async () => {
      const res = await send('member', groupId, { mentions: [guests.owner!.user.id] })
      expect(res.status).toBe(201)
    })
    for (const caller of ['nonMember', 'moderator', 'member'] as const) {
      await report.check('REST', target, async () => {
        const before = await server.counts()
        const res = await send(caller, lobbyId, { mentionsHere: true })
        expect(res.status, `@here by ${caller}`).toBe(403)
        expect(await server.counts()).toEqual(before)
      })
    }
    await report.check('REST', target, async () => {
      expect((await send('organizer', lobbyId, { mentionsHere: true })).status).toBe(201)
      expect((await send('organizer', groupId, { mentionsHere: true })).status).toBe(404)
    })
  })
})

describe('socket authorization matrix', () => {
  it('refuses the handshake of signed-out callers', async () => {
    for (const caller of SIGNED_OUT) {
      await report.check('socket handshake', 'signed-out caller', async () => {
        const error = await server.connect(caller === 'none' ? {} : { token: token[caller] }).then(
          () => null,
          (e: Error) => e.message,
        )
        expect(error, caller).toBe('UNAUTHORIZED')
      })
    }
  })

  it('answers NOT_FOUND to every event from callers who cannot see the group; members are served', async () => {
    const events: [string, () => Promise<unknown>, boolean][] = [
      ['conversation:join', async () => ({ conversationId: groupId }), true],
      ['conversation:leave', async () => ({ conversationId: groupId }), true],
      [
        'message:send',
        async () => ({ conversationId: groupId, clientMessageId: crypto.randomUUID(), content: 'x' }),
        true,
      ],
      ['message:edited', async () => ({ messageId: await ownerMessage(), newContent: 'y' }), false],
      ['message:deleted', async () => ({ messageId: await ownerMessage() }), false],
      ['message:reaction', async () => ({ messageId: await ownerMessage(), emoji: '🎉' }), true],
      ['message:typing', async () => ({ conversationId: groupId }), true],
      ['message:stop-typing', async () => ({ conversationId: groupId }), true],
      ['conversation:read', async () => ({ conversationId: groupId, seq: 1 }), true],
      ['message:report', async () => ({ messageId: await ownerMessage(), reason: 'spam' }), true],
      ['conversation:rename', async () => ({ conversationId: groupId, title: 'Taken over' }), false],
      ['conversation:mute', async () => ({ conversationId: groupId, muted: true }), true],
    ]
    for (const caller of ['otherEvent', 'nonMember', 'moderator', 'organizer', 'member'] as const) {
      const socket = await server.connect({ token: token[caller] })
      for (const [event, payload, memberAllowed] of events) {
        await report.check('socket event', event, async () => {
          const body = await payload()
          seen.clear()
          const before = await server.counts()
          const ack = await emitAck(socket, event, body)
          if (caller === 'member') {
            if (memberAllowed) expect(ack.ok, `${caller} ${event}`).toBe(true)
            else expect(ack.ok ? 'ok' : ack.error.code, `${caller} ${event}`).toBe('FORBIDDEN')
            return
          }
          expect(ack.ok ? 'ok' : ack.error.code, `${caller} ${event}`).toBe('NOT_FOUND')
          expect(await server.counts(), `${caller} ${event} wrote something`).toEqual(before)
          await quiet(30)
          expect(seen.names('user:status'), `${caller} ${event} caused a broadcast`).toEqual([])
        })
      }
      socket.disconnect()
    }
  })

  it('moderation events: staff of the event are served, guests FORBIDDEN, another event NOT_FOUND', async () => {
    const target = guests.target!.user.id
    const events: [string, Record<string, unknown>, boolean][] = [
      ['moderation:mute', { userId: target, minutes: 5 }, true],
      ['moderation:remove', { userId: target }, true],
      ['moderation:restore', { userId: target }, true],
      ['moderation:role', { userId: target, role: 'guest' }, false],
    ]
    const want: Partial<Record<Caller, (modOk: boolean) => string>> = {
      otherEvent: () => 'NOT_FOUND',
      nonMember: () => 'FORBIDDEN',
      member: () => 'FORBIDDEN',
      moderator: (modOk) => (modOk ? 'ok' : 'FORBIDDEN'),
      organizer: () => 'ok',
    }
    for (const [caller, expected] of Object.entries(want) as [Caller, (m: boolean) => string][]) {
      const socket = await server.connect({ token: token[caller] })
      for (const [event, payload, moderatorAllowed] of events) {
        await report.check('socket event', event, async () => {
          const before = await server.counts()
          const ack = await emitAck(socket, event, payload)
          const code = expected(moderatorAllowed)
          expect(ack.ok ? 'ok' : ack.error.code, `${caller} ${event}`).toBe(code)
          if (code !== 'ok')
            expect(await server.counts(), `${caller} ${event} wrote something`).toEqual(before)
        })
      }
      socket.disconnect()
    }
  })

  it('pin events: organizers and moderators are served, guests FORBIDDEN, another event NOT_FOUND; settings are organizers’, dismissals anyone’s', async () => {
    const want: Record<Exclude<Caller, 'none' | 'malformed' | 'expired' | 'revoked'>, string> = {
      otherEvent: 'NOT_FOUND',
      nonMember: 'FORBIDDEN',
      member: 'FORBIDDEN',
      moderator: 'ok',
      organizer: 'ok',
    }
    for (const [caller, code] of Object.entries(want) as [Caller, string][]) {
      const socket = await server.connect({ token: token[caller] })
      for (const event of ['message:pin', 'message:unpin']) {
        await report.check('socket event', event, async () => {
          const messageId = await lobbyMessage()
          const before = await server.counts()
          const ack = await emitAck(socket, event, { messageId })
          expect(ack.ok ? 'ok' : ack.error.code, `${caller} ${event}`).toBe(code)
          if (code !== 'ok') expect(await server.counts()).toEqual(before)
        })
      }
      // A socket changes the settings of its own event: the other event's organizer changes theirs.
      await report.check('socket event', 'event:settings', async () => {
        const ack = await emitAck(socket, 'event:settings', { moderatorsAnnounce: false })
        const allowed = caller === 'organizer' || caller === 'otherEvent'
        expect(ack.ok ? 'ok' : ack.error.code, caller).toBe(allowed ? 'ok' : 'FORBIDDEN')
      })
      await report.check('socket event', 'announcement:dismiss', async () => {
        const ack = await emitAck(socket, 'announcement:dismiss', { messageId: await announcement() })
        expect(ack.ok ? 'ok' : ack.error.code, caller).toBe(caller === 'otherEvent' ? 'NOT_FOUND' : 'ok')
      })
      socket.disconnect()
    }
  })
})
