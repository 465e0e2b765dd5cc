import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { JoinResponse, Message } from '@secura/shared'
import exifr from 'exifr'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { chatApi, joinAll, nextEvent, useServer } from '../helpers.ts'
import { fetchFile, MANY_UPLOADS, phoneJpeg, png, pngBomb, upload } from './fixtures.ts'

const server = useServer({ ...MANY_UPLOADS, LIMIT_UPLOAD_BYTES: String(256 * 1024) }, { files: true })

const as = (guest: JoinResponse) => chatApi(server, guest.token)
async function filesOnDisk(): Promise<string[]> {
  const all = await readdir(server.filesDir, { recursive: true, withFileTypes: true }).catch(() => [])
  return all.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}
async function attachmentRows(): Promise<number> {
  const [row] = await server.app.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM "Attachment"')
  return Number(row?.n)
}
/** A group of Ana and Ben in a new event, and Cy, a guest of the same event outside it. */
async function group() {
  const { eventId } = await server.createEvent()
  const [ana, ben, cy] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
  const created = await as(ana).post('/conversations', {
    kind: 'group',
    title: 'Photos',
    userIds: [ben.user.id],
  })
  return { ana, ben, cy, conversationId: created.body.id as string }
}

describe('photos', () => {
  it('re-encodes a phone photo: no EXIF or GPS out, orientation applied, sizes and blurhash recorded', async () => {
    const { ana, ben, conversationId } = await group()
    const original = await phoneJpeg(64, 32)
    expect(await exifr.gps(original)).toMatchObject({ latitude: expect.any(Number) })

    const up = await upload(server, ana.token, conversationId, original, 'IMG_0001.jpg', 'image/jpeg')
    expect(up.status).toBe(201)
    // Orientation 6 turns the 64×32 sensor image upright: 32 wide, 64 high.
    expect(up.body).toMatchObject({
      kind: 'image',
      mime: 'image/webp',
      width: 32,
      height: 64,
      name: 'IMG_0001.webp',
    })
    expect(up.body.blurhash).toMatch(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,}$/)

    const sent = await as(ana).send(conversationId, '', { attachmentIds: [up.body.id] })
    expect(sent.status).toBe(201)
    const message: Message = sent.body
    expect(message).toMatchObject({ content: '', attachments: [up.body] })

    for (const variant of ['display', 'thumb']) {
      const file = await fetchFile(server, ben.token, `/api/attachments/${up.body.id}/${variant}`)
      expect(file.status).toBe(200)
      expect(file.headers.get('content-type')).toBe('image/webp')
      expect(file.headers.get('x-content-type-options')).toBe('nosniff')
      expect(file.headers.get('cache-control')).toMatch(/^private/)
      expect(file.headers.get('content-security-policy')).toContain("default-src 'none'")
      const meta = await sharp(file.bytes).metadata()
      expect([meta.format, meta.width, meta.height, meta.exif, meta.orientation]).toEqual([
        'webp',
        32,
        64,
        undefined,
        undefined,
      ])
      expect(await exifr.parse(file.bytes, { gps: true }).catch(() => undefined)).toBeUndefined()
    }
    // History and sync carry the attachments exactly as the send did (after the group's "created" line).
    const userMessages = (list: { system?: unknown }[]) => list.filter((m) => !m.system)
    const page = await as(ben).get(`/conversations/${conversationId}/messages`)
    expect(userMessages(page.body.messages)).toEqual([message])
    const sync = await as(ben).post('/sync', { cursors: [{ conversationId, rev: 0 }] })
    expect(userMessages(sync.body.changes[0].messages)).toEqual([message])
  })

  it('a caption with several photos; a replay returns the original; an upload is sent once only', async () => {
    const { ana, conversationId } = await group()
    const a = await upload(server, ana.token, conversationId, await png(), 'a.png')
    const b = await upload(server, ana.token, conversationId, await png(8, 4), 'b.png')
    const clientMessageId = crypto.randomUUID()
    const body = { clientMessageId, content: ' the stage ', attachmentIds: [a.body.id, b.body.id] }
    const first = await as(ana).post(`/conversations/${conversationId}/messages`, body)
    expect(first.status).toBe(201)
    expect(first.body.content).toBe('the stage')
    expect(first.body.attachments.map((x: { id: string }) => x.id)).toEqual([a.body.id, b.body.id])
    const replay = await as(ana).post(`/conversations/${conversationId}/messages`, body)
    expect([replay.status, replay.body]).toEqual([200, first.body])

    const again = await as(ana).send(conversationId, 'again', { attachmentIds: [a.body.id] })
    expect([again.status, again.body.error.code]).toEqual([400, 'VALIDATION'])
    const { messages } = (await as(ana).get(`/conversations/${conversationId}/messages`)).body
    expect(messages.filter((m: { system?: unknown }) => !m.system)).toHaveLength(1)
  })

  it("refuses someone else's upload, and an empty message without attachments", async () => {
    const { ana, ben, conversationId } = await group()
    const mine = await upload(server, ana.token, conversationId, await png(), 'a.png')
    const theirs = await as(ben).send(conversationId, 'mine now', { attachmentIds: [mine.body.id] })
    expect([theirs.status, theirs.body.error.code]).toEqual([400, 'VALIDATION'])
    expect((await as(ana).send(conversationId, '  ')).body.error.code).toBe('VALIDATION')
  })
})

describe('refusals: a clear error, nothing stored, no temp file left', () => {
  const exe = Buffer.concat([
    Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'),
    Buffer.alloc(512),
  ])
  const cases: [string, () => Promise<Buffer>, string, number, RegExp][] = [
    ['a program disguised as a photo', async () => exe, 'holiday.jpg', 400, /application\/x-msdownload/],
    [
      'a ZIP disguised as a PDF',
      async () => Buffer.concat([Buffer.from('PK\x03\x04\x14\x00', 'latin1'), Buffer.alloc(200)]),
      'slides.pdf',
      400,
      /application\/zip/,
    ],
    [
      'a file over LIMIT_UPLOAD_BYTES',
      async () => Buffer.alloc(256 * 1024 + 1, 'a'),
      'big.txt',
      413,
      /at most/,
    ],
    [
      'a polyglot: a JPEG with HTML and script after it',
      async () => Buffer.concat([await phoneJpeg(), Buffer.from('<html><script>alert(1)</script></html>')]),
      'photo.jpg',
      400,
      /polyglot/,
    ],
    [
      'an SVG',
      async () =>
        Buffer.from(
          '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
      'logo.svg',
      400,
      /SVG/,
    ],
    [
      'an SVG named as text',
      async () => Buffer.from('<svg onload="alert(1)"></svg>'),
      'notes.txt',
      400,
      /SVG/,
    ],
    ['a decompression bomb', async () => pngBomb(), 'tiny.png', 400, /100000×100000 pixels/],
    [
      'a damaged image',
      async () => (await png()).subarray(0, 60),
      'cut.png',
      400,
      /could not be read|damaged/,
    ],
  ]
  it.each(cases)('%s', async (_what, bytes, name, status, message) => {
    const { ana, conversationId } = await group()
    const rows = await attachmentRows()
    const res = await upload(server, ana.token, conversationId, await bytes(), name)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION')
    expect(res.body.error.message).toMatch(message)
    expect(await attachmentRows()).toBe(rows)
    expect(await filesOnDisk()).toEqual((await filesOnDisk()).filter((f) => !f.includes('incoming')))
    expect((await filesOnDisk()).filter((f) => f.includes('incoming'))).toEqual([])
  })

  it('too many: more attachments than a message may carry', async () => {
    const { ana, conversationId } = await group()
    const ids = Array.from({ length: 11 }, () => crypto.randomUUID())
    const res = await as(ana).send(conversationId, 'all of them', { attachmentIds: ids })
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION'])
    expect(res.body.error.message).toMatch(/at most 10 attachments/)
  })

  it('a stranger cannot upload into a conversation, nor anyone without a session', async () => {
    const { cy, conversationId } = await group()
    const rows = await attachmentRows()
    expect((await upload(server, cy.token, conversationId, await png(), 'a.png')).status).toBe(404)
    expect((await upload(server, '', conversationId, await png(), 'a.png')).status).toBe(401)
    expect(await attachmentRows()).toBe(rows)
  })
})

describe('serving', () => {
  it('only members; a leaked URL is nothing without membership; not before it is sent', async () => {
    const { ana, ben, cy, conversationId } = await group()
    const up = await upload(server, ana.token, conversationId, await png(), 'a.png')
    const url = `/api/attachments/${up.body.id}/display`
    expect((await fetchFile(server, ben.token, url)).status).toBe(404) // an upload not sent is the sender's alone
    await as(ana).send(conversationId, 'look', { attachmentIds: [up.body.id] })
    expect((await fetchFile(server, ben.token, url)).status).toBe(200)
    expect((await fetchFile(server, cy.token, url)).status).toBe(404)
    expect((await fetchFile(server, undefined, url)).status).toBe(401)
    expect((await fetchFile(server, ben.token, `/api/attachments/${up.body.id}/file`)).status).toBe(404)
    // Ben leaves the group: the URL he had stops working for him.
    await as(ben).del(`/conversations/${conversationId}/members`, { userIds: [ben.user.id] })
    expect((await fetchFile(server, ben.token, url)).status).toBe(404)
  })

  it('a file is a download of its sniffed type, with Range requests', async () => {
    const { ana, ben, conversationId } = await group()
    const text = Buffer.from('Programme\n10:00 doors\n11:00 keynote\n'.repeat(50))
    const up = await upload(server, ana.token, conversationId, text, 'programme.txt', 'application/x-evil')
    expect(up.body).toMatchObject({ kind: 'file', mime: 'text/plain', size: text.length, width: null })
    await as(ana).send(conversationId, '', { attachmentIds: [up.body.id] })
    const url = `/api/attachments/${up.body.id}/file`
    const whole = await fetchFile(server, ben.token, url)
    expect(whole.bytes.equals(text)).toBe(true)
    expect(whole.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''programme.txt")
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    const part = await fetchFile(server, ben.token, url, { range: 'bytes=10-19' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${text.length}`)
    expect(part.bytes.equals(text.subarray(10, 20))).toBe(true)
    const tail = await fetchFile(server, ben.token, url, { range: 'bytes=-5' })
    expect(tail.bytes.equals(text.subarray(-5))).toBe(true)
    const beyond = await fetchFile(server, ben.token, url, { range: `bytes=${text.length}-` })
    expect(beyond.status).toBe(416)
  })

  it("a deleted message's files are gone: rows, bytes on disk, and the URLs", async () => {
    const { ana, ben, conversationId } = await group()
    const up = await upload(server, ana.token, conversationId, await png(), 'a.png')
    const sent = await as(ana).send(conversationId, 'oops', { attachmentIds: [up.body.id] })
    const onDisk = (await filesOnDisk()).filter((f) => f.includes(up.body.id))
    expect(onDisk).toHaveLength(2)
    const deleted = await as(ana).del(`/conversations/${conversationId}/messages/${sent.body.id}`)
    expect(deleted.body).toMatchObject({ content: '', deletedBy: ana.user.id })
    expect(deleted.body.attachments).toBeUndefined()
    expect((await fetchFile(server, ben.token, `/api/attachments/${up.body.id}/display`)).status).toBe(404)
    expect((await filesOnDisk()).filter((f) => f.includes(up.body.id))).toEqual([])
    const changes = await as(ben).get(`/conversations/${conversationId}/messages?sinceRev=0`)
    expect(changes.body.messages[0].attachments).toBeUndefined()
  })

  it("a moderator's deletion removes a guest's photo too, and a badge names what was sent", async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const mod = await server.join(eventId, 'Mo', 'moderator')
    const benSocket = await server.connect({ token: ben.token })
    const badge = nextEvent<{ preview: string }>(benSocket, 'conversation:message-received')
    const up = await upload(server, ana.token, lobbyId, await png(), 'stage.png')
    const sent = await as(ana).send(lobbyId, '', { attachmentIds: [up.body.id] })
    expect((await badge).preview).toBe('📷 Photo')
    const deleted = await as(mod).del(`/conversations/${lobbyId}/messages/${sent.body.id}`)
    expect(deleted.body).toMatchObject({ deletedBy: mod.user.id })
    expect((await fetchFile(server, ben.token, `/api/attachments/${up.body.id}/thumb`)).status).toBe(404)
    expect((await filesOnDisk()).filter((f) => f.includes(up.body.id))).toEqual([])
  })

  it('uploads never sent are swept, rows and files', async () => {
    const { ana, conversationId } = await group()
    const up = await upload(server, ana.token, conversationId, await png(), 'a.png')
    expect((await filesOnDisk()).filter((f) => f.includes(up.body.id))).toHaveLength(2)
    expect((await server.app.services.attachments.sweep(0)).unsent).toBeGreaterThanOrEqual(1)
    expect((await filesOnDisk()).filter((f) => f.includes(up.body.id))).toEqual([])
    const res = await as(ana).send(conversationId, '', { attachmentIds: [up.body.id] })
    expect(res.body.error.code).toBe('VALIDATION')
  })
})
