import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { JoinResponse } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, chatApi, joinAll, useServer } from '../helpers.ts'
import { fetchFile, MANY_UPLOADS, png, upload } from './fixtures.ts'

/** Attachments and the event's staff: who may open them, the report queue, deletion, storage per event. */
const server = useServer(MANY_UPLOADS, { files: true })

const as = (guest: JoinResponse) => chatApi(server, guest.token)
async function filesOf(id: string): Promise<string[]> {
  const all = await readdir(server.filesDir, { recursive: true, withFileTypes: true }).catch(() => [])
  return all.filter((e) => e.isFile() && join(e.parentPath, e.name).includes(id)).map((e) => e.name)
}

/** Ana and Ben's private group with a photo in it; the event's organizer and moderator are not members. */
async function privatePhoto() {
  const { eventId } = await server.createEvent()
  const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
  const organizer = await server.join(eventId, 'Org', 'organizer')
  const moderator = await server.join(eventId, 'Mod', 'moderator')
  const group = await as(ana).post('/conversations', { kind: 'group', title: 'Us', userIds: [ben.user.id] })
  const conversationId = group.body.id as string
  const up = await upload(server, ana.token, conversationId, await png(), 'p.png')
  const sent = await as(ana).send(conversationId, 'look', { attachmentIds: [up.body.id] })
  expect(sent.status).toBe(201)
  return {
    eventId,
    ana,
    ben,
    cy,
    organizer,
    moderator,
    conversationId,
    id: up.body.id,
    messageId: sent.body.id,
  }
}
const thumb = (id: string) => `/api/attachments/${id}/thumb`

describe('staff and attachments', () => {
  it('an organizer opens any attachment of their event; a moderator once its message is reported', async () => {
    const p = await privatePhoto()
    expect((await fetchFile(server, p.organizer.token, thumb(p.id))).status).toBe(200)
    expect((await fetchFile(server, ADMIN_TOKEN, thumb(p.id))).status).toBe(200)
    expect((await fetchFile(server, p.cy.token, thumb(p.id))).status).toBe(404)
    expect((await fetchFile(server, p.moderator.token, thumb(p.id))).status).toBe(404)

    const reported = await as(p.ben).post(
      `/conversations/${p.conversationId}/messages/${p.messageId}/report`,
      {
        reason: 'not ok',
      },
    )
    expect(reported.status).toBe(201)
    expect((await fetchFile(server, p.moderator.token, thumb(p.id))).status).toBe(200)
    // Staff of another event learn nothing.
    const other = await server.createEvent()
    const stranger = await server.join(other.eventId, 'Boss', 'organizer')
    expect((await fetchFile(server, stranger.token, thumb(p.id))).status).toBe(404)
    expect((await fetchFile(server, 'not-a-token', thumb(p.id))).status).toBe(401)
  })

  it('the report queue shows the attachments; deleting the reported message removes its files', async () => {
    const p = await privatePhoto()
    await as(p.ben).post(`/conversations/${p.conversationId}/messages/${p.messageId}/report`, {
      reason: 'spam',
    })
    const queue = await server.api('GET', `/api/events/${p.eventId}/reports`, { token: p.moderator.token })
    expect(queue.status).toBe(200)
    const [report] = queue.body.reports
    expect(report).toMatchObject({ messageId: p.messageId, attachments: [{ id: p.id, kind: 'image' }] })
    expect(await filesOf(p.id)).toHaveLength(2)

    const resolved = await server.api('POST', `/api/events/${p.eventId}/reports/${report.id}/resolve`, {
      token: p.moderator.token,
      body: { action: 'delete' },
    })
    expect(resolved.status).toBe(200)
    expect(await filesOf(p.id)).toEqual([])
    expect((await fetchFile(server, p.organizer.token, thumb(p.id))).status).toBe(404)
    expect((await fetchFile(server, p.ben.token, thumb(p.id))).status).toBe(404)
  })
})

describe('storage per event', () => {
  it('counts bytes and files of the event only, sent and unsent', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const empty = await server.api('GET', `/api/admin/events/${eventId}/storage`, { token: ADMIN_TOKEN })
    expect(empty.body).toEqual({ eventId, bytes: 0, files: 0, unsent: 0 })

    const photo = await upload(server, ana.token, lobbyId, await png(), 'p.png')
    const text = await upload(server, ana.token, lobbyId, Buffer.from('hello notes\n'), 'n.txt', 'text/plain')
    await as(ana).send(lobbyId, '', { attachmentIds: [photo.body.id] })
    // Another event's upload is not counted.
    await privatePhoto()

    const { body, status } = await server.api('GET', `/api/admin/events/${eventId}/storage`, {
      token: ADMIN_TOKEN,
    })
    expect(status).toBe(200)
    const rows = await server.app.db.prisma.attachment.findMany({
      where: { id: { in: [photo.body.id, text.body.id] } },
    })
    const bytes = rows.reduce((sum, r) => sum + r.storedBytes, 0)
    expect(bytes).toBeGreaterThan(photo.body.size)
    expect(body).toEqual({ eventId, bytes, files: 2, unsent: 1 })
  })

  it('admin only; an unknown event is NOT_FOUND', async () => {
    const { eventId } = await server.createEvent()
    const organizer = await server.join(eventId, 'Org', 'organizer')
    const path = `/api/admin/events/${eventId}/storage`
    expect((await server.api('GET', path, { token: organizer.token })).status).toBe(401)
    expect((await server.api('GET', path)).status).toBe(401)
    const missing = await server.api(
      'GET',
      '/api/admin/events/0190a0c2-0000-7000-8000-000000000000/storage',
      {
        token: ADMIN_TOKEN,
      },
    )
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND'])
    const bad = await server.api('GET', '/api/admin/events/nope/storage', { token: ADMIN_TOKEN })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION'])
  })
})
