import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type ClientSocket, emitAck, nextEvent, useServer } from './helpers.ts'

/** Reports: a guest reports a message; organizers and moderators see the queue and resolve it. */
const server = useServer()
let eventId: string
let lobbyId: string

beforeAll(async () => {
  ;({ eventId, lobbyId } = await server.createEvent('Reports'))
})

async function post(token: string, content: string): Promise<string> {
  const res = await server.api('POST', `/api/chat/conversations/${lobbyId}/messages`, {
    token,
    body: { clientMessageId: crypto.randomUUID(), content },
  })
  return res.body.id
}
const reportPath = (mid: string) => `/api/chat/conversations/${lobbyId}/messages/${mid}/report`
const queue = async (token: string) =>
  (await server.api('GET', `/api/events/${eventId}/reports`, { token })).body.reports as {
    id: string
    messageId: string
    reason: string
    authorName: string
    reporterName: string
  }[]

describe('reports', () => {
  it('a guest reports over REST and the socket; the queue shows it once per reporter; dismiss empties it', async () => {
    const author = await server.join(eventId, 'Spammy')
    const a = await server.join(eventId, 'Reporter A')
    const b = await server.join(eventId, 'Reporter B')
    const organizer = await server.join(eventId, 'Queue Org', 'organizer')
    const mid = await post(author.token, 'buy now')
    const first = await server.api('POST', reportPath(mid), { token: a.token, body: { reason: 'Spam' } })
    expect(first.status).toBe(201)
    const again = await server.api('POST', reportPath(mid), {
      token: a.token,
      body: { reason: 'Spam again' },
    })
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)
    const socket = await server.connect({ token: b.token })
    expect(await emitAck(socket, 'message:report', { messageId: mid, reason: 'Ads' })).toMatchObject({
      ok: true,
    })
    socket.disconnect()

    const open = (await queue(organizer.token)).filter((r) => r.messageId === mid)
    expect(open.map((r) => [r.reporterName, r.reason])).toEqual([
      ['Reporter A', 'Spam'],
      ['Reporter B', 'Ads'],
    ])
    expect(open[0]).toMatchObject({ authorName: 'Spammy' })
    const dismissed = await server.api('POST', `/api/events/${eventId}/reports/${open[0]!.id}/resolve`, {
      token: organizer.token,
      body: { action: 'dismiss' },
    })
    expect(dismissed.body).toMatchObject({ resolved: 2, resolution: 'dismiss' })
    expect((await queue(organizer.token)).filter((r) => r.messageId === mid)).toEqual([])
    const twice = await server.api('POST', `/api/events/${eventId}/reports/${open[0]!.id}/resolve`, {
      token: organizer.token,
      body: { action: 'dismiss' },
    })
    expect(twice.status).toBe(409)
  })

  it('mute author from the queue: the author is muted with the report as the reason', async () => {
    const author = await server.join(eventId, 'Rude')
    const reporter = await server.join(eventId, 'Polite')
    const moderator = await server.join(eventId, 'Modder', 'moderator')
    const mid = await post(author.token, 'rude words')
    await server.api('POST', reportPath(mid), { token: reporter.token, body: { reason: 'Insults' } })
    const [report] = (await queue(moderator.token)).filter((r) => r.messageId === mid)
    const socket: ClientSocket = await server.connect({ token: author.token })
    const told = nextEvent<{ muteReason: string }>(socket, 'user:moderated')
    const res = await server.api('POST', `/api/events/${eventId}/reports/${report!.id}/resolve`, {
      token: moderator.token,
      body: { action: 'mute', minutes: 30 },
    })
    expect(res.status).toBe(200)
    expect((await told).muteReason).toBe('Reported: Insults')
    const refused = await emitAck(socket, 'message:send', {
      conversationId: lobbyId,
      clientMessageId: crypto.randomUUID(),
      content: 'more',
    })
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { muted: true } } })
    socket.disconnect()
  })

  it('delete from the queue by the admin: a tombstone whose deletedBy is null, broadcast to viewers', async () => {
    const author = await server.join(eventId, 'Leaky')
    const reporter = await server.join(eventId, 'Careful')
    const mid = await post(author.token, 'my phone number is …')
    await server.api('POST', reportPath(mid), { token: reporter.token, body: { reason: 'Privacy' } })
    const [report] = (await queue(ADMIN_TOKEN)).filter((r) => r.messageId === mid)
    const viewer = await server.connect({ token: reporter.token })
    await emitAck(viewer, 'conversation:join', { conversationId: lobbyId })
    const deleted = nextEvent<{ messageId: string; deletedBy: string | null }>(viewer, 'message:deleted')
    const res = await server.api('POST', `/api/events/${eventId}/reports/${report!.id}/resolve`, {
      token: ADMIN_TOKEN,
      body: { action: 'delete' },
    })
    expect(res.body).toMatchObject({ resolved: 1, resolution: 'delete', deletedAt: expect.any(String) })
    expect(await deleted).toMatchObject({ messageId: mid, deletedBy: null })
    viewer.disconnect()
  })

  it('refuses bad reports and a refused action leaves the report open, writing nothing', async () => {
    const organizer = await server.join(eventId, 'Boss Two', 'organizer')
    const guest = await server.join(eventId, 'Plain Guest')
    const own = await post(guest.token, 'mine')
    const orgMessage = await post(organizer.token, 'official')
    const unknown = '0190a0a0-0000-7000-8000-000000000000'
    const before = await server.counts()
    const cases: [string, string, unknown, number][] = [
      [reportPath(own), guest.token, { reason: 'x' }, 400],
      [reportPath(orgMessage), guest.token, { reason: '' }, 400],
      [reportPath(orgMessage), guest.token, { reason: 'x'.repeat(201) }, 400],
      [reportPath(unknown), guest.token, { reason: 'x' }, 404],
      [`/api/events/${eventId}/reports/${unknown}/resolve`, organizer.token, { action: 'dismiss' }, 404],
      [`/api/events/${eventId}/reports/${unknown}/resolve`, organizer.token, { action: 'ban' }, 400],
    ]
    for (const [path, token, body, status] of cases) {
      const res = await server.api('POST', path, { token, body })
      expect({ path, status: res.status }).toEqual({ path, status })
    }
    expect(await server.counts()).toEqual(before)

    // A report of an organizer's message: muting its author is refused, and the report stays open.
    await server.api('POST', reportPath(orgMessage), { token: guest.token, body: { reason: 'Bossy' } })
    const [report] = (await queue(organizer.token)).filter((r) => r.messageId === orgMessage)
    const res = await server.api('POST', `/api/events/${eventId}/reports/${report!.id}/resolve`, {
      token: ADMIN_TOKEN,
      body: { action: 'mute' },
    })
    expect(res.status).toBe(403)
    expect((await queue(organizer.token)).map((r) => r.id)).toContain(report!.id)
  })
})
