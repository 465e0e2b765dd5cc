import type { JoinResponse } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, chatApi, joinAll, MANY_SENDS, useServer } from './helpers.ts'

const server = useServer(MANY_SENDS)

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const exportOf = (eventId: string, token = ADMIN_TOKEN) =>
  server.api('GET', `/api/events/${eventId}/export`, { token })
const transcriptOf = (eventId: string, token = ADMIN_TOKEN) =>
  server.api('GET', `/api/events/${eventId}/export/lobby.html`, { token })

describe('the JSON export', () => {
  it('has the lobby and groups with messages, reactions and system lines; never a direct conversation', async () => {
    const { eventId, lobbyId } = await server.createEvent('Gala')
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const hello = (await as(ana).send(lobbyId, 'hello <all>')).body
    await as(ben).post(`/conversations/${lobbyId}/messages/${hello.id}/reaction`, { emoji: '🎉' })
    const gone = (await as(ben).send(lobbyId, 'oops')).body
    await as(ben).del(`/conversations/${lobbyId}/messages/${gone.id}`)
    const g = (await as(ana).post('/conversations', { kind: 'group', title: 'Crew', userIds: [ben.user.id] }))
      .body
    await as(ben).send(g.id, 'in the group')
    const dm = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body
    await as(ana).send(dm.id, 'a private word')

    const res = await exportOf(eventId)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="secura-${eventId}.json"`)
    const data = res.body
    expect(data).toMatchObject({ format: 'secura-export/1', event: { id: eventId, name: 'Gala' } })
    expect(data.rule).toContain('never exported')
    expect(data.users.map((u: any) => u.displayName).sort()).toEqual(['Ana', 'Ben'])
    expect(data.conversations.map((c: any) => c.id)).toEqual([lobbyId, g.id])
    expect(JSON.stringify(data)).not.toContain('a private word')
    expect(JSON.stringify(data)).not.toContain(dm.id)
    const [lobby, crew] = data.conversations
    expect(lobby.messages.map((m: any) => [m.seq, m.content, m.deletedAt !== null])).toEqual([
      [1, 'hello <all>', false],
      [2, '', true],
    ])
    expect(lobby.messages[0].reactions).toEqual([{ emoji: '🎉', userIds: [ben.user.id] }])
    expect(crew).toMatchObject({ kind: 'group', title: 'Crew', memberIds: [ana.user.id, ben.user.id] })
    expect(crew.messages[0].system).toEqual({
      type: 'group-created',
      actorId: ana.user.id,
      targetIds: [ben.user.id],
      title: 'Crew',
    })
    expect(crew.messages[1]).toMatchObject({ seq: 2, content: 'in the group', senderId: ben.user.id })
  })

  it('pages through a conversation longer than one page, every message once and in order', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const total = 1234
    // Written straight into the database: a thousand sends over HTTP would only slow the test.
    await server.app.db.prisma.$executeRawUnsafe(
      `WITH c AS (UPDATE "Conversation" SET "lastSeq" = $2, "lastRev" = $2 WHERE id = $1::uuid RETURNING id)
       INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content)
       SELECT gen_random_uuid(), c.id, n, n, $3::uuid, 'bulk-' || n, 'message ' || n FROM c, generate_series(1, $2) n`,
      lobbyId,
      total,
      ana.user.id,
    )
    const res = await exportOf(eventId)
    const seqs = res.body.conversations[0].messages.map((m: any) => m.seq)
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1))
  })

  it('is for the admin and the event’s organizers; others are refused before any byte', async () => {
    const { eventId } = await server.createEvent()
    const other = await server.createEvent()
    const [guest] = await joinAll(server, eventId, 'Guest')
    const [stranger] = await joinAll(server, other.eventId, 'Stranger')
    const organizer = await server.join(eventId, 'Org', 'organizer')
    for (const get of [exportOf, transcriptOf]) {
      expect((await get(eventId, guest!.token)).body.error.code).toBe('FORBIDDEN')
      expect((await get(eventId, stranger!.token)).body.error.code).toBe('NOT_FOUND')
      expect((await get(crypto.randomUUID())).status).toBe(404)
      expect((await server.api('GET', `/api/events/${eventId}/export`)).status).toBe(401)
      expect((await get(eventId, organizer.token)).status).toBe(200)
    }
    expect((await server.api('GET', '/api/events/x/export', { token: ADMIN_TOKEN })).body.error.code).toBe(
      'VALIDATION',
    )
  })
})

describe('the lobby transcript', () => {
  it('is printable HTML with every name and text escaped and nothing that runs', async () => {
    const { eventId, lobbyId } = await server.createEvent('<b>Night</b> & "Day"')
    const mallory = await server.join(eventId, '<img src=x onerror=alert(1)>')
    const [ben] = await joinAll(server, eventId, 'Ben')
    await as(mallory).send(lobbyId, '<script>alert("hi")</script> & bye')
    await as(ben).send(lobbyId, 'line one\nline two')
    await server.api('POST', `/api/events/${eventId}/guests/${mallory.user.id}/remove`, {
      token: ADMIN_TOKEN,
      body: {},
    })
    const res = await transcriptOf(eventId)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = res.body as string
    expect(html).not.toMatch(/<script|<img|<b>/i)
    expect(html).toContain('&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; bye')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('&lt;b&gt;Night&lt;/b&gt; &amp; &quot;Day&quot;')
    expect(html).toContain('line one\nline two')
    expect(html).toContain('@media print')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; was removed by the organizers')
    expect(html.indexOf('&amp; bye')).toBeLessThan(html.indexOf('line two'))
  })
})
