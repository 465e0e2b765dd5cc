import { readdir } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chatApi, joinAll, useServer } from '../helpers.ts'
import { MANY_UPLOADS, png, upload } from './fixtures.ts'

/** Uploads repeated with the client's key (`Idempotency-Key`): one attachment, stored once. */
const QUOTA = 64 * 1024
const server = useServer({ ...MANY_UPLOADS, LIMIT_UPLOAD_QUOTA_BYTES: String(QUOTA) }, { files: true })

/** The stored files of one attachment (display and thumb of a photo, the file of the rest). */
async function filesOf(id: string): Promise<string[]> {
  const all = await readdir(join(server.filesDir, 'objects'), { recursive: true, withFileTypes: true }).catch(
    () => [],
  )
  return all.filter((e) => e.isFile() && e.parentPath.endsWith(id)).map((e) => e.name)
}
async function storedObjects(): Promise<number> {
  const all = await readdir(join(server.filesDir, 'objects'), { recursive: true, withFileTypes: true }).catch(
    () => [],
  )
  return all.filter((e) => e.isFile()).length
}
async function rowsOf(uploaderId: string): Promise<{ id: string; uploadKey: string | null }[]> {
  return server.app.db.sql.query<{ id: string; uploadKey: string | null }>(
    'SELECT id, "uploadKey" FROM "Attachment" WHERE "uploaderId" = $1 ORDER BY id',
    [uploaderId],
  )
}
async function incoming(): Promise<string[]> {
  return readdir(join(server.filesDir, 'incoming')).catch(() => [])
}
const keyed = (key: string) => ({ 'idempotency-key': key })

describe('uploads with an Idempotency-Key', () => {
  it('a repeat is answered with the same attachment: one row, one set of files', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const key = crypto.randomUUID()
    const photo = await png(40, 30)
    const first = await upload(server, ana.token, lobbyId, photo, 'a.png', 'image/png', keyed(key))
    expect(first.status).toBe(201)
    const again = await upload(server, ana.token, lobbyId, photo, 'a.png', 'image/png', keyed(key))
    expect([again.status, again.body]).toEqual([200, first.body])
    expect(await rowsOf(ana.user.id)).toEqual([{ id: first.body.id, uploadKey: key }])
    expect((await filesOf(first.body.id)).sort()).toEqual(['display', 'thumb'])

    // Still the same once sent: the message carries it, and a late repeat changes nothing.
    const sent = await chatApi(server, ana.token).send(lobbyId, '', { attachmentIds: [first.body.id] })
    expect(sent.status).toBe(201)
    const late = await upload(server, ana.token, lobbyId, photo, 'a.png', 'image/png', keyed(key))
    expect([late.status, late.body.id]).toEqual([200, first.body.id])
    expect(await rowsOf(ana.user.id)).toHaveLength(1)
    expect(await incoming()).toEqual([])
  })

  it('repeats sent at once make one attachment; the losers leave no files', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const key = crypto.randomUUID()
    const photo = await png(64, 48)
    const before = await storedObjects()
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        upload(server, ana.token, lobbyId, photo, 'p.png', 'image/png', keyed(key)),
      ),
    )
    const ids = new Set(answers.map((a) => a.body.id))
    expect(ids.size).toBe(1)
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201])
    const [id] = [...ids] as [string]
    expect(await rowsOf(ana.user.id)).toEqual([{ id, uploadKey: key }])
    expect((await filesOf(id)).sort()).toEqual(['display', 'thumb'])
    expect(await storedObjects()).toBe(before + 2)
    expect(await incoming()).toEqual([])
  })

  it("another guest's same key is their own upload", async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const key = crypto.randomUUID()
    const file = Buffer.from('the programme\n')
    const hers = await upload(server, ana.token, lobbyId, file, 'a.txt', 'text/plain', keyed(key))
    const his = await upload(server, ben.token, lobbyId, file, 'b.txt', 'text/plain', keyed(key))
    expect([hers.status, his.status]).toEqual([201, 201])
    expect(his.body.id).not.toBe(hers.body.id)
    expect(his.body.name).toBe('b.txt')
    expect(await rowsOf(ben.user.id)).toEqual([{ id: his.body.id, uploadKey: key }])
  })

  it('without a key every upload is its own, as before', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const file = Buffer.from('notes\n')
    const a = await upload(server, ana.token, lobbyId, file, 'n.txt', 'text/plain')
    const b = await upload(server, ana.token, lobbyId, file, 'n.txt', 'text/plain')
    expect([a.status, b.status]).toEqual([201, 201])
    expect(a.body.id).not.toBe(b.body.id)
    expect((await rowsOf(ana.user.id)).map((r) => r.uploadKey)).toEqual([null, null])
  })

  it('a repeat is answered even when the quota is used up (by the first copy among others)', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const key = crypto.randomUUID()
    const half = Buffer.alloc(QUOTA / 2, 'x')
    const first = await upload(server, ana.token, lobbyId, half, 'a.txt', 'text/plain', keyed(key))
    const other = await upload(server, ana.token, lobbyId, half, 'b.txt', 'text/plain')
    expect([first.status, other.status]).toEqual([201, 201])
    const over = await upload(server, ana.token, lobbyId, Buffer.from('one more\n'), 'c.txt', 'text/plain')
    expect([over.status, over.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE'])
    const again = await upload(server, ana.token, lobbyId, half, 'a.txt', 'text/plain', keyed(key))
    expect([again.status, again.body.id]).toEqual([200, first.body.id])
  })

  it('refuses a malformed key, and a key used for another conversation, storing nothing', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const file = Buffer.from('notes\n')
    for (const bad of ['', 'has spaces in it', 'k'.repeat(65), 'ünïcode', 'a/b']) {
      const res = await upload(server, ana.token, lobbyId, file, 'n.txt', 'text/plain', keyed(bad))
      expect([bad, res.status, res.body.error.code]).toEqual([bad, 400, 'VALIDATION'])
      expect(res.body.error.message).toMatch(/Idempotency-Key/)
    }
    expect(await rowsOf(ana.user.id)).toEqual([])

    const direct = await chatApi(server, ana.token).post('/conversations', {
      kind: 'direct',
      userId: ben.user.id,
    })
    const key = crypto.randomUUID()
    const first = await upload(server, ana.token, lobbyId, file, 'n.txt', 'text/plain', keyed(key))
    expect(first.status).toBe(201)
    const elsewhere = await upload(server, ana.token, direct.body.id, file, 'n.txt', 'text/plain', keyed(key))
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([409, 'CONFLICT'])
    expect(await rowsOf(ana.user.id)).toHaveLength(1)
    expect(await incoming()).toEqual([])
  })
  it('any key a client may send: 201 or 200 when well formed, VALIDATION otherwise, never a 500', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c))
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: printable, minLength: 1, maxLength: 80 }), async (key) => {
        const res = await upload(
          server,
          ana.token,
          lobbyId,
          Buffer.from('k\n'),
          'k.txt',
          'text/plain',
          keyed(key),
        )
        const wellFormed = /^[A-Za-z0-9_.:-]{1,64}$/.test(key)
        if (wellFormed) expect([200, 201]).toContain(res.status)
        else expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION'])
      }),
      { numRuns: 40, seed: 18 },
    )
  })
})

describe('a client that hangs up', () => {
  /** Starts a multipart upload of `total` bytes, sends `sent` of them, then drops the connection. */
  async function hangUpAfter(token: string, conversationId: string, sent: Buffer, total: number) {
    const boundary = 'secura-test-boundary'
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n` +
        'Content-Type: text/plain\r\n\r\n',
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    const { hostname, port } = new URL(server.url)
    const req = request({
      hostname,
      port,
      method: 'POST',
      path: `/api/chat/conversations/${conversationId}/attachments`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + total + tail.length,
        'idempotency-key': crypto.randomUUID(),
      },
    })
    req.on('error', () => {}) // the connection is dropped on purpose
    req.write(head)
    await new Promise<void>((resolve) => req.write(sent, () => resolve()))
    // Long enough for the server to have the temp file open.
    for (let i = 0; i < 50 && (await incoming()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 20))
    req.destroy()
  }

  it('mid-body: the upload stops, its temp file goes, nothing is recorded', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    await hangUpAfter(ana.token, lobbyId, Buffer.alloc(16 * 1024, 'x'), 1024 * 1024)
    let left = await incoming()
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20))
      left = await incoming()
    }
    expect(left).toEqual([])
    expect(await rowsOf(ana.user.id)).toEqual([])
    // The server goes on: the same guest uploads at once.
    const next = await upload(server, ana.token, lobbyId, Buffer.from('after\n'), 'a.txt', 'text/plain')
    expect(next.status).toBe(201)
  })
})
