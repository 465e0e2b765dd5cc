import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JoinResponse } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import { describe, expect, it } from 'vitest'
import { takeLease } from '../../src/db/lease.ts'
import { ADMIN_TOKEN, chatApi, joinAll, startServer, useServer } from '../helpers.ts'
import { MANY_UPLOADS, png, upload } from './fixtures.ts'

/** The sweep of what no message will claim: unsent uploads, files without a row, crashed uploads' temp files. */
const server = useServer(MANY_UPLOADS, { files: true })

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const HOUR = 60 * 60 * 1000
const sweep = (graceMs: number) => server.app.services.attachments.sweep(graceMs)

async function files(): Promise<string[]> {
  const all = await readdir(server.filesDir, { recursive: true, withFileTypes: true }).catch(() => [])
  return all
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(server.filesDir.length + 1))
    .sort()
}
/** A file as a crash would leave it, written `ageMs` ago. */
async function plant(path: string, ageMs: number) {
  const full = join(server.filesDir, path)
  await mkdir(join(full, '..'), { recursive: true })
  await writeFile(full, 'left behind')
  const then = new Date(Date.now() - ageMs)
  await utimes(full, then, then)
}
async function backdate(attachmentId: string, ageMs: number) {
  await server.app.db.sql.query(`UPDATE "Attachment" SET "createdAt" = $1::timestamptz WHERE id = $2::uuid`, [
    new Date(Date.now() - ageMs).toISOString(),
    attachmentId,
  ])
}
async function lobbyUpload() {
  const { eventId, lobbyId } = await server.createEvent()
  const [ana] = await joinAll(server, eventId, 'Ana')
  const up = await upload(server, ana.token, lobbyId, await png(), 'a.png')
  expect(up.status).toBe(201)
  return { ana, lobbyId, id: up.body.id as string }
}

describe('attachment sweep', () => {
  it('removes old unsent uploads, keeps young ones and every sent one', async () => {
    const old = await lobbyUpload()
    const young = await lobbyUpload()
    const sent = await lobbyUpload()
    expect((await as(sent.ana).send(sent.lobbyId, '', { attachmentIds: [sent.id] })).status).toBe(201)
    await backdate(old.id, 2 * HOUR)
    await backdate(sent.id, 2 * HOUR)

    const result = await sweep(HOUR)
    expect(result.unsent).toBe(1)
    const left = await files()
    expect(left.filter((f) => f.includes(old.id))).toEqual([])
    expect(left.filter((f) => f.includes(young.id))).toHaveLength(2)
    expect(left.filter((f) => f.includes(sent.id))).toHaveLength(2)
    const rows = await server.app.db.prisma.attachment.findMany({
      where: { id: { in: [old.id, young.id, sent.id] } },
    })
    expect(rows.map((r) => r.id).sort()).toEqual([young.id, sent.id].sort())
    // The old upload can no longer be sent.
    const late = await as(old.ana).send(old.lobbyId, '', { attachmentIds: [old.id] })
    expect(late.body.error.code).toBe('VALIDATION')
  })

  it('removes stored files no row names once older than the grace, and nothing of a live attachment', async () => {
    const live = await lobbyUpload()
    await as(live.ana).send(live.lobbyId, '', { attachmentIds: [live.id] })
    const conversation = uuidv7()
    const [gone, fresh] = [uuidv7(), uuidv7()]
    // A deletion that crashed after its commit, before its files were removed; and an upload in progress.
    await plant(`objects/${conversation}/${gone}/display`, 2 * HOUR)
    await plant(`objects/${conversation}/${gone}/thumb`, 2 * HOUR)
    await plant(`objects/${conversation}/${fresh}/file`, 0)
    // Old files of the live attachment (its row exists): kept however old.
    const [display] = (await files()).filter((f) => f.includes(live.id))
    const then = new Date(Date.now() - 2 * HOUR)
    await utimes(join(server.filesDir, display!), then, then)
    // Not this server's key shape: never touched.
    await plant('objects/README', 2 * HOUR)

    const result = await sweep(HOUR)
    expect(result.orphanObjects).toBe(2)
    const left = await files()
    expect(left.filter((f) => f.includes(gone))).toEqual([])
    expect(left).toContain(`objects/${conversation}/${fresh}/file`)
    expect(left.filter((f) => f.includes(live.id))).toHaveLength(2)
    expect(left).toContain('objects/README')
    expect((await fetch(`${server.url}/api/attachments/${live.id}/display`)).status).toBe(401)
  })

  it("removes temp files a crashed upload left, not an upload's being checked", async () => {
    await plant('incoming/0190a0c2-0000-7000-8000-000000000001.upload', 2 * HOUR)
    await plant('incoming/0190a0c2-0000-7000-8000-000000000002.display', 2 * HOUR)
    await plant('incoming/0190a0c2-0000-7000-8000-000000000003.upload', 0)
    const result = await sweep(HOUR)
    expect(result.tempFiles).toBe(2)
    expect((await files()).filter((f) => f.startsWith('incoming/'))).toEqual([
      'incoming/0190a0c2-0000-7000-8000-000000000003.upload',
    ])
    await rm(join(server.filesDir, 'incoming/0190a0c2-0000-7000-8000-000000000003.upload'))
  })

  it('removes folders a crash left empty once older than the grace, not one an upload just made', async () => {
    const conversation = uuidv7()
    const [crashed, making] = [uuidv7(), uuidv7()]
    const old = new Date(Date.now() - 2 * HOUR)
    // A kill between making an upload's folder and moving its file in; and an upload at that moment now.
    await mkdir(join(server.filesDir, 'objects', conversation, crashed), { recursive: true })
    await mkdir(join(server.filesDir, 'objects', conversation, making))
    await utimes(join(server.filesDir, 'objects', conversation, crashed), old, old)
    await utimes(join(server.filesDir, 'objects', conversation), old, old)

    expect((await sweep(HOUR)).emptyFolders).toBe(1)
    expect(await readdir(join(server.filesDir, 'objects', conversation))).toEqual([making])
    // Once the last one is old too, it goes, and so does the folder it leaves empty (on the run after).
    await utimes(join(server.filesDir, 'objects', conversation, making), old, old)
    expect((await sweep(HOUR)).emptyFolders).toBe(1)
    await utimes(join(server.filesDir, 'objects', conversation), old, old)
    expect((await sweep(HOUR)).emptyFolders).toBe(1)
    expect(await readdir(join(server.filesDir, 'objects'))).not.toContain(conversation)
  })

  it('is idempotent: a second sweep finds nothing', async () => {
    await sweep(HOUR)
    expect(await sweep(HOUR)).toEqual({ unsent: 0, orphanObjects: 0, emptyFolders: 0, tempFiles: 0 })
  })

  it('files of a deleted event go with it (the cascade takes the rows, the route the files)', async () => {
    const { eventId, lobbyId } = await server.createEvent()
    const [ana] = await joinAll(server, eventId, 'Ana')
    const up = await upload(server, ana.token, lobbyId, await png(), 'a.png')
    await as(ana).send(lobbyId, '', { attachmentIds: [up.body.id] })
    expect((await files()).filter((f) => f.includes(up.body.id))).toHaveLength(2)
    const res = await server.api('DELETE', `/api/admin/events/${eventId}`, {
      token: ADMIN_TOKEN,
    })
    expect(res.status).toBe(204)
    expect((await files()).filter((f) => f.includes(up.body.id))).toEqual([])
  })
})

describe('sweep lease', () => {
  it('one holder at a time; the holder renews; another takes it once it expired', async () => {
    const { prisma } = server.app.db
    const name = `test-${uuidv7()}`
    expect(await takeLease(prisma, name, 'a', 60_000)).toBe(true)
    expect(await takeLease(prisma, name, 'b', 60_000)).toBe(false)
    expect(await takeLease(prisma, name, 'a', 60_000)).toBe(true)
    expect(await takeLease(prisma, name, 'a', 1)).toBe(true)
    await new Promise((r) => setTimeout(r, 20))
    expect(await takeLease(prisma, name, 'b', 60_000)).toBe(true)
    expect(await takeLease(prisma, name, 'a', 60_000)).toBe(false)
  })
})

describe('the periodic sweep', () => {
  it('runs every UPLOAD_SWEEP_MS under the lease, and counts what it removed in /metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secura-sweep-timer-test-'))
    const timed = await startServer({ FILES_DIR: dir, UPLOAD_GRACE_MS: '1000', UPLOAD_SWEEP_MS: '1000' })
    try {
      const orphan = join(dir, 'objects', uuidv7(), uuidv7(), 'file')
      await mkdir(join(orphan, '..'), { recursive: true })
      await writeFile(orphan, 'left behind')
      const then = new Date(Date.now() - 60_000)
      await utimes(orphan, then, then)
      const swept = async () => {
        const res = await timed.api<string>('GET', '/metrics', { token: ADMIN_TOKEN })
        const line = res.body
          .split('\n')
          .find((l) => l.startsWith('secura_attachments_swept_total{what="orphan_object"}'))
        return Number(line?.split(' ').at(-1) ?? 0)
      }
      for (const deadline = Date.now() + 15_000; Date.now() < deadline && (await swept()) < 1; )
        await new Promise((r) => setTimeout(r, 200))
      expect(await swept()).toBe(1)
      expect(await readdir(join(orphan, '..')).catch(() => [])).toEqual([])
      const [lease] = await timed.app.db.sql.query<{ name: string }>(`SELECT name FROM "Lease"`)
      expect(lease?.name).toBe('attachment-sweep')
    } finally {
      await timed.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
