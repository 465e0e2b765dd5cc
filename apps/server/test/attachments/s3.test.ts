import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { JoinResponse } from '@secura/shared'
import exifr from 'exifr'
import S3rver from 's3rver'
import { uuidv7 } from 'uuidv7'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chatApi, freshDatabase, joinAll, onPostgres, startServer, type TestServer } from '../helpers.ts'
import { fetchFile, phoneJpeg, upload } from './fixtures.ts'

// A real S3-protocol server on loopback: the driver talks to it exactly as to AWS or MinIO.
let s3rver: S3rver
let directory: string
let env: Record<string, string>
let client: S3Client
const BUCKET = 'secura-files'

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'secura-s3rver-'))
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory })
  const { port } = (await s3rver.run()) as unknown as { port: number }
  const endpoint = `http://127.0.0.1:${port}`
  client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }))
  env = {
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_PREFIX: 'files/',
    LIMIT_JOINS_PER_MIN: '100000',
  }
})
afterAll(async () => {
  client?.destroy()
  await s3rver?.close()
  await rm(directory, { recursive: true, force: true })
})

const keys = async () =>
  ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!)

async function group(server: TestServer) {
  const { eventId } = await server.createEvent()
  const [ana, ben] = await joinAll(server, eventId, 'Ana', 'Ben')
  const api = (g: JoinResponse) => chatApi(server, g.token)
  const created = await api(ana).post('/conversations', {
    kind: 'group',
    title: 'S3',
    userIds: [ben.user.id],
  })
  return { ana, ben, api, conversationId: created.body.id as string }
}

describe('the S3 driver, against a local S3 server', () => {
  it('stores the re-encoded photo in the bucket, serves it with ranges, and deletes it with its message', async () => {
    const server = await startServer(env)
    try {
      const { ana, ben, api, conversationId } = await group(server)
      const up = await upload(server, ana.token, conversationId, await phoneJpeg(), 'p.jpg')
      expect(up.status).toBe(201)
      expect((await keys()).filter((k) => k.includes(up.body.id)).sort()).toEqual([
        `files/${conversationId}/${up.body.id}/display`,
        `files/${conversationId}/${up.body.id}/thumb`,
      ])
      const sent = await api(ana).send(conversationId, '', { attachmentIds: [up.body.id] })
      const url = `/api/attachments/${up.body.id}/display`
      const whole = await fetchFile(server, ben.token, url)
      expect([whole.status, whole.bytes.length]).toEqual([200, up.body.size])
      expect(await exifr.gps(whole.bytes).catch(() => undefined)).toBeUndefined()
      const part = await fetchFile(server, ben.token, url, { range: 'bytes=0-11' })
      expect(part.status).toBe(206)
      expect(part.bytes.equals(whole.bytes.subarray(0, 12))).toBe(true)

      await api(ana).del(`/conversations/${conversationId}/messages/${sent.body.id}`)
      expect((await keys()).filter((k) => k.includes(up.body.id))).toEqual([])
      await expect(
        client.send(
          new HeadObjectCommand({ Bucket: BUCKET, Key: `files/${conversationId}/${up.body.id}/display` }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } })
      expect((await fetchFile(server, ben.token, url)).status).toBe(404)
    } finally {
      await server.close()
    }
  })

  it('the sweep removes unsent uploads and objects no row names, within the prefix only', async () => {
    const server = await startServer(env)
    try {
      const { ana, api, conversationId } = await group(server)
      const sent = await upload(server, ana.token, conversationId, await phoneJpeg(), 'sent.jpg')
      await api(ana).send(conversationId, '', { attachmentIds: [sent.body.id] })
      const unsent = await upload(server, ana.token, conversationId, await phoneJpeg(), 'unsent.jpg')
      const orphan = `${conversationId}/${uuidv7()}/display`
      const put = (Key: string) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }))
      await put(`files/${orphan}`)
      await put(`elsewhere/${orphan}`)
      await put('files/README')
      await new Promise((r) => setTimeout(r, 20))

      const result = await server.app.services.attachments.sweep(0)
      expect(result).toMatchObject({ unsent: 1, orphanObjects: 1 })
      const left = await keys()
      expect(left.filter((k) => k.includes(unsent.body.id))).toEqual([])
      expect(left).not.toContain(`files/${orphan}`)
      expect(left).toEqual(expect.arrayContaining([`elsewhere/${orphan}`, 'files/README']))
      expect(left.filter((k) => k.includes(sent.body.id))).toHaveLength(2)
      expect(await server.app.services.attachments.sweep(0)).toMatchObject({ unsent: 0, orphanObjects: 0 })
    } finally {
      await server.close()
    }
  })

  it.skipIf(!onPostgres)(
    'two instances on one database and one bucket serve each other’s files',
    async () => {
      const database = await freshDatabase()
      const a = await startServer(env, { databaseUrl: database.databaseUrl! })
      const b = await startServer(env, { databaseUrl: database.databaseUrl! })
      try {
        const { ana, ben, api, conversationId } = await group(a)
        const up = await upload(a, ana.token, conversationId, await phoneJpeg(), 'p.jpg')
        await api(ana).send(conversationId, 'from a', { attachmentIds: [up.body.id] })
        const onB = await fetchFile(b, ben.token, `/api/attachments/${up.body.id}/thumb`)
        expect([onB.status, onB.headers.get('content-type')]).toEqual([200, 'image/webp'])
      } finally {
        await a.close()
        await b.close()
        await database.drop()
      }
    },
  )
})
