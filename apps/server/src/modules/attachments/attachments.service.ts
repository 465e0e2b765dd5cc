import { createWriteStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Attachment, AttachmentVariant, Limits } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import { AppError, notFound } from '../../errors.ts'
import type { Attachment as AttachmentRow } from '../../generated/prisma/client.ts'
import { type Viewer, visibleConversation } from '../access.ts'
import { muteGuard } from '../moderation/mute.ts'
import { enforce, type RateLimiter } from '../rate-limit.ts'
import { renderImage } from './image.ts'
import { inspect, tooLarge } from './inspect.ts'
import type { ByteRange, FileStorage } from './storage.ts'

export interface AttachmentsDeps {
  prisma: PrismaClient
  storage: FileStorage
  /** Where uploads are written while they are checked; nothing stays there after a request. */
  tempDir: string
  limits: Limits
  uploadLimiter: RateLimiter
}

/** An upload as it arrives: the bytes as a stream, the name the client gave, and whether the size cap cut it. */
export interface UploadSource {
  stream: Readable
  name: string
  truncated(): boolean
}

/** A file to serve: its bytes (or the requested range of them) and what the response says about it. */
export interface ServedFile {
  body: Readable
  size: number
  range: ByteRange | undefined
  mime: string
  name: string
  kind: 'image' | 'file'
}

const keysOf = (row: Pick<AttachmentRow, 'kind' | 'storageKey'>) =>
  row.kind === 'image' ? [`${row.storageKey}/display`, `${row.storageKey}/thumb`] : [`${row.storageKey}/file`]

/** The wire form, as a message carries it. */
export function toAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    kind: row.kind === 'image' ? 'image' : 'file',
    mime: row.mime,
    name: row.name,
    size: row.size,
    width: row.width,
    height: row.height,
    blurhash: row.blurhash,
  }
}

// Names are shown and offered as the download's name: printable, no path, bounded.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
const UNPRINTABLE = /[\u0000-\u001f\u007f"]/g
const cleanName = (raw: string) =>
  raw
    .replace(/^.*[\\/]/, '')
    .replace(UNPRINTABLE, '')
    .slice(0, 200) || 'file'

export function createAttachmentsService(deps: AttachmentsDeps) {
  const { prisma, storage, tempDir, limits, uploadLimiter } = deps
  const assertNotEnded = muteGuard(prisma)

  async function usedBytes(userId: string): Promise<number> {
    const { _sum } = await prisma.attachment.aggregate({
      where: { uploaderId: userId },
      _sum: { storedBytes: true },
    })
    return _sum.storedBytes ?? 0
  }

  return {
    /**
     * Receives one file for a message to come: checked, images re-encoded, stored, and recorded as not yet
     * sent. Every refusal leaves nothing behind: no row, no stored object, no temp file.
     */
    async upload(viewer: Viewer, conversationId: string, source: UploadSource): Promise<Attachment> {
      const name = cleanName(source.name)
      try {
        await visibleConversation(prisma, viewer, conversationId)
        // After the end nothing new is stored, files included (a mute only holds the send that claims them).
        await assertNotEnded(viewer.id, { ifMuted: false })
        await enforce(uploadLimiter, viewer.id, 'uploads')
        if ((await usedBytes(viewer.id)) >= limits.uploadQuotaBytes) throw quotaUsed(limits.uploadQuotaBytes)
      } catch (error) {
        source.stream.resume() // the body is read to its end, so the refusal reaches the client
        throw error
      }
      await mkdir(tempDir, { recursive: true })
      const id = uuidv7()
      const temp = {
        upload: join(tempDir, `${id}.upload`),
        display: join(tempDir, `${id}.display`),
        thumb: join(tempDir, `${id}.thumb`),
      }
      const storageKey = `${conversationId}/${id}`
      const stored: string[] = []
      try {
        await pipeline(source.stream, createWriteStream(temp.upload))
        if (source.truncated()) throw tooLarge(limits.uploadBytes)
        const { kind, mime } = await inspect(temp.upload, name)
        let row: Omit<AttachmentRow, 'createdAt'>
        if (kind === 'image') {
          const image = await renderImage(temp.upload, temp, { name, maxPixels: limits.imagePixels })
          row = {
            id,
            conversationId,
            uploaderId: viewer.id,
            messageId: null,
            kind,
            mime: 'image/webp',
            name: `${name.replace(/\.[^.]*$/, '')}.webp`,
            size: image.displayBytes,
            storedBytes: image.displayBytes + image.thumbBytes,
            width: image.width,
            height: image.height,
            blurhash: image.blurhash,
            storageKey,
          }
        } else {
          const { size } = await stat(temp.upload)
          row = {
            id,
            conversationId,
            uploaderId: viewer.id,
            messageId: null,
            kind,
            mime,
            name,
            size,
            storedBytes: size,
            width: null,
            height: null,
            blurhash: null,
            storageKey,
          }
        }
        if ((await usedBytes(viewer.id)) + row.storedBytes > limits.uploadQuotaBytes)
          throw quotaUsed(limits.uploadQuotaBytes)
        if (kind === 'image') {
          stored.push(`${storageKey}/display`)
          await storage.put(`${storageKey}/display`, temp.display, 'image/webp')
          stored.push(`${storageKey}/thumb`)
          await storage.put(`${storageKey}/thumb`, temp.thumb, 'image/webp')
        } else {
          stored.push(`${storageKey}/file`)
          await storage.put(`${storageKey}/file`, temp.upload, mime)
        }
        return toAttachment(await prisma.attachment.create({ data: row }))
      } catch (error) {
        await storage.remove(stored).catch(() => {})
        source.stream.resume()
        throw error
      } finally {
        await Promise.all(Object.values(temp).map((path) => rm(path, { force: true })))
      }
    },

    /** A sent attachment's bytes, for a member of its conversation; NOT_FOUND for anyone else. */
    async open(
      viewer: Viewer,
      id: string,
      variant: AttachmentVariant,
      rangeOf: (size: number) => ByteRange | undefined,
    ): Promise<ServedFile> {
      const row = await prisma.attachment.findUnique({ where: { id }, include: { message: true } })
      // Not yet sent, or its message deleted (the row goes with the deletion; this guards the moment between).
      if (!row?.message || row.message.deletedAt) throw notFound('Attachment')
      try {
        await visibleConversation(prisma, viewer, row.conversationId)
      } catch {
        throw notFound('Attachment')
      }
      if ((row.kind === 'image') !== (variant !== 'file')) throw notFound('Attachment')
      const key = `${row.storageKey}/${variant}`
      const size = await storage.size(key)
      if (size === undefined) throw notFound('Attachment')
      const range = rangeOf(size)
      return {
        body: await storage.read(key, range),
        size,
        range,
        mime: row.kind === 'image' ? 'image/webp' : row.mime,
        name: row.name,
        kind: row.kind === 'image' ? 'image' : 'file',
      }
    },

    /** Removes stored objects of attachments whose rows are already gone (after a deletion committed). */
    async purge(rows: Pick<AttachmentRow, 'kind' | 'storageKey'>[]): Promise<void> {
      await storage.remove(rows.flatMap(keysOf))
    },

    /** Uploads never sent within `olderThanMs`: rows and files removed. Returns how many. */
    async sweep(olderThanMs: number): Promise<number> {
      // One statement: a row a send claims meanwhile is not deleted, and its files are kept.
      const stale = await rawQuery(prisma)<Pick<AttachmentRow, 'kind' | 'storageKey'>>(
        'attachment.sweep',
        `DELETE FROM "Attachment" WHERE id IN (
           SELECT id FROM "Attachment" WHERE "messageId" IS NULL AND "createdAt" < $1::timestamptz LIMIT 500
         ) AND "messageId" IS NULL RETURNING kind, "storageKey"`,
        [new Date(Date.now() - olderThanMs).toISOString()],
      )
      if (stale.length === 0) return 0
      await storage.remove(stale.flatMap(keysOf))
      return stale.length
    },
  }
}

const quotaUsed = (quota: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `Upload quota of ${Math.floor(quota / (1024 * 1024))} MB used up`, {
    quotaBytes: quota,
  })

export type AttachmentsService = ReturnType<typeof createAttachmentsService>
