import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { chatApi, joinAll, useServer } from '../helpers.ts'
import { MANY_UPLOADS, upload } from './fixtures.ts'

/** The per-user quota of stored bytes: binding however many uploads arrive at once. */
const QUOTA = 100
const FILE = Buffer.from(`${'quota notes '.repeat(3)}end\n`) // 40 bytes: two fit, a third does not
const server = useServer({ ...MANY_UPLOADS, LIMIT_UPLOAD_QUOTA_BYTES: String(QUOTA) }, { files: true })

const stored = async () =>
  (
    await readdir(join(server.filesDir, 'objects'), { recursive: true, withFileTypes: true }).catch(() => [])
  ).filter((e) => e.isFile()).length

describe('upload quota', () => {
  it('holds for uploads sent at once: exactly what fits is kept, the rest refused with nothing left', async () => {
    expect(FILE.length).toBe(40)
    const { eventId, lobbyId } = await server.createEvent()
    const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        upload(server, ana.token, lobbyId, FILE, `n${n}.txt`, 'text/plain'),
      ),
    )
    expect(results.filter((r) => r.status === 201)).toHaveLength(2)
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(413)
      expect(r.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { quotaBytes: QUOTA } })
    }
    expect(await stored()).toBe(2)
    const rows = await server.app.db.prisma.attachment.findMany({ where: { uploaderId: ana.user.id } })
    expect(rows.reduce((sum, r) => sum + r.storedBytes, 0)).toBe(80)
    // Per user: Ben's quota is his own.
    expect((await upload(server, ben.token, lobbyId, FILE, 'b.txt', 'text/plain')).status).toBe(201)

    // A deleted message frees what its files took.
    const [first] = results.filter((r) => r.status === 201)
    const sent = await chatApi(server, ana.token).send(lobbyId, '', { attachmentIds: [first!.body.id] })
    await chatApi(server, ana.token).del(`/conversations/${lobbyId}/messages/${sent.body.id}`)
    expect((await upload(server, ana.token, lobbyId, FILE, 'again.txt', 'text/plain')).status).toBe(201)
  })
})
