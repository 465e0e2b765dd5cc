import { createWriteStream } from 'node:fs'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Attachment, AttachmentVariant, EventStorage, Limits } from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import { type PrismaClient, rawQuery } from '../../db/prisma.ts'
import { AppError, notFound } from '../../errors.ts'
import type { Attachment as AttachmentRow } from '../../generated/prisma/client.ts'
import { type Viewer, visibleConversation } from '../access.ts'
import { muteGuard } from '../moderation/mute.ts'
import { enforce, type RateLimiter } from '../rate-limit.ts'
import { createImageRenderer, uploadCancelled } from './image.ts'
import { inspect, tooLarge } from './inspect.ts'
import type { ByteRange, FileStorage } from './storage.ts'

export interface AttachmentsDeps {
  prisma: PrismaClient
  storage: FileStorage
  /** Where uploads are written while they are checked; nothing stays there after a request. */
  tempDir: string
  limits: Limits
  uploadLimiter: RateLimiter
  /** Photos decoded at once (IMAGE_RENDERS); the rest wait their turn. */
  imageRenders: number
}

/** An upload as it arrives: the bytes as a stream, the name the client gave, and whether the size cap cut it. */
export interface UploadSource {
  stream: Readable
  name: string
  truncated(): boolean
  /** The client's key for this file (Idempotency-Key): a repeat is answered with the first upload's attachment. */
  key?: string | undefined
  /** Aborts when the client has gone: an image waiting for the decoder is then not decoded. */
  signal?: AbortSignal | undefined
}

/** An upload's answer: the attachment, and whether this request made it (or repeated an earlier one's key). */
export interface UploadResult {
  attachment: Attachment
  created: boolean
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
  const images = createImageRenderer({ concurrent: deps.imageRenders })
  const assertNotEnded = muteGuard(prisma)

  async function usedBytes(userId: string): Promise<number> {
    const { _sum } = await prisma.attachment.aggregate({
      where: { uploaderId: userId },
      _sum: { storedBytes: true },
    })
    return _sum.storedBytes ?? 0
  }

  /**
   * Records an upload if the uploader's stored bytes stay within the quota. The uploader's lock is held to
   * the commit, and the sum is read after it is taken: parallel uploads, on any instance, cannot both pass.
   */
  async function recordWithinQuota(
    row: Omit<AttachmentRow, 'createdAt'>,
  ): Promise<AttachmentRow | undefined> {
    // A row of the same key (a repeat that ran beside the first) makes the insert a no-op: the caller answers
    // with that row. Under the uploader's lock the repeat sees it, and the unique index holds regardless.
    const [, inserted] = await prisma.$transaction([
      prisma.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${row.uploaderId}::text, ${QUOTA_LOCK}::bigint))`,
      prisma.$queryRaw<AttachmentRow[]>`
        INSERT INTO "Attachment"
          (id, "conversationId", "uploaderId", kind, mime, name, "storedBytes", size, width, height, blurhash,
           "storageKey", "uploadKey")
        SELECT ${row.id}::uuid, ${row.conversationId}::uuid, ${row.uploaderId}::uuid, ${row.kind}::text,
          ${row.mime}::text, ${row.name}::text, ${row.storedBytes}::int, ${row.size}::int, ${row.width}::int,
          ${row.height}::int, ${row.blurhash}::text, ${row.storageKey}::text, ${row.uploadKey}::text
        WHERE (SELECT COALESCE(SUM("storedBytes"), 0) FROM "Attachment" WHERE "uploaderId" = ${row.uploaderId}::uuid)
          + ${row.storedBytes}::int <= ${limits.uploadQuotaBytes}::bigint
        ON CONFLICT ("uploaderId", "uploadKey") DO NOTHING
        RETURNING *`,
    ])
    return inserted[0]
  }

  /** The upload an earlier request made with this key, if it is still kept (not swept, its message not deleted). */
  async function earlierUpload(
    uploaderId: string,
    key: string | undefined,
    conversationId: string,
  ): Promise<AttachmentRow | undefined> {
    if (key === undefined) return undefined
    const row = await prisma.attachment.findUnique({
      where: { uploaderId_uploadKey: { uploaderId, uploadKey: key } },
    })
    if (row && row.conversationId !== conversationId)
      throw new AppError('CONFLICT', 'This Idempotency-Key was used for an upload to another conversation', {
        attachmentId: row.id,
      })
    return row ?? undefined
  }

  /** Temp files of uploads older than `graceMs` (a crash mid-upload): this instance's own folder only. */
  async function sweepIncoming(graceMs: number): Promise<number> {
    const cutoff = Date.now() - graceMs
    const names = await readdir(tempDir).catch(() => [] as string[])
    let removed = 0
    for (const name of names) {
      const path = join(tempDir, name)
      const info = await stat(path).catch(() => undefined)
      if (!info?.isFile() || info.mtimeMs >= cutoff) continue
      await rm(path, { force: true })
      removed++
    }
    return removed
  }

  /** Stored objects older than `cutoff` whose attachment has no row: removed. Returns how many. */
  async function sweepObjects(cutoff: Date): Promise<number> {
    let removed = 0
    const batch = new Map<string, string[]>()
    const settle = async () => {
      const ids = [...batch.keys()]
      const known = await rawQuery(prisma)<{ id: string }>(
        'attachment.sweep.known',
        'SELECT id FROM "Attachment" WHERE id = ANY($1::uuid[])',
        [ids],
      )
      for (const { id } of known) batch.delete(id)
      const keys = [...batch.values()].flat()
      await storage.remove(keys)
      removed += keys.length
      batch.clear()
    }
    for await (const object of storage.list()) {
      // Keys are <conversationId>/<attachmentId>/<variant>; anything else is not this server's to remove.
      const [, id, variant, ...rest] = object.key.split('/')
      if (!id || !variant || rest.length > 0 || !UUID.test(id) || object.modifiedAt >= cutoff) continue
      batch.set(id, [...(batch.get(id) ?? []), object.key])
      if (batch.size >= SWEEP_BATCH) await settle()
    }
    if (batch.size > 0) await settle()
    return removed
  }
  async function maySee(viewer: Viewer, conversationId: string, eventId: string, messageId: string) {
    const member = await prisma.member.findUnique({
      where: { conversationId_userId: { conversationId, userId: viewer.id } },
      select: { userId: true },
    })
    if (member) return true
    if (eventId !== viewer.eventId) return false
    // Staff see what the report queue shows them: organizers everything of their event (export, review),
    // moderators the messages reported to them.
    if (viewer.role === 'organizer') return true
    if (viewer.role === 'moderator') return (await prisma.report.count({ where: { messageId, eventId } })) > 0
    return false
  }

  return {
    /**
     * Receives one file for a message to come: checked, images re-encoded, stored, and recorded as not yet
     * sent. Every refusal leaves nothing behind: no row, no stored object, no temp file.
     */
    async upload(viewer: Viewer, conversationId: string, source: UploadSource): Promise<UploadResult> {
      const name = cleanName(source.name)
      try {
        await visibleConversation(prisma, viewer, conversationId)
        // After the end nothing new is stored, files included (a mute only holds the send that claims them).
        await assertNotEnded(viewer.id, { ifMuted: false })
        // A repeat (its answer was lost) is answered before the rate and the quota, which its first copy counts in.
        const earlier = await earlierUpload(viewer.id, source.key, conversationId)
        if (earlier) {
          source.stream.resume()
          return { attachment: toAttachment(earlier), created: false }
        }
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
        // A client that hangs up mid-body ends the copy at once (its temp file goes in `finally`).
        await pipeline(source.stream, createWriteStream(temp.upload), { signal: source.signal }).catch(
          (error: unknown) => {
            throw source.signal?.aborted ? uploadCancelled() : error
          },
        )
        if (source.truncated()) throw tooLarge(limits.uploadBytes)
        const { kind, mime } = await inspect(temp.upload, name)
        let row: Omit<AttachmentRow, 'createdAt'>
        if (kind === 'image') {
          const image = await images.render(temp.upload, temp, {
            name,
            maxPixels: limits.imagePixels,
            signal: source.signal,
          })
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
            uploadKey: source.key ?? null,
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
            uploadKey: source.key ?? null,
          }
        }
        // A cheap early refusal; the binding check is made with the insert, under the uploader's lock. A repeat
        // that ran beside the first is answered with it, whatever the quota (the first copy counts in it).
        if ((await usedBytes(viewer.id)) + row.storedBytes > limits.uploadQuotaBytes) {
          const first = await earlierUpload(viewer.id, source.key, conversationId)
          if (first) return { attachment: toAttachment(first), created: false }
          throw quotaUsed(limits.uploadQuotaBytes)
        }
        if (kind === 'image') {
          stored.push(`${storageKey}/display`)
          await storage.put(`${storageKey}/display`, temp.display, 'image/webp')
          stored.push(`${storageKey}/thumb`)
          await storage.put(`${storageKey}/thumb`, temp.thumb, 'image/webp')
        } else {
          stored.push(`${storageKey}/file`)
          await storage.put(`${storageKey}/file`, temp.upload, mime)
        }
        const created = await recordWithinQuota(row)
        if (created) return { attachment: toAttachment(created), created: true }
        // Not recorded: a repeat that ran beside the first lost the race (its files go), or the quota is used.
        const first = await earlierUpload(viewer.id, source.key, conversationId)
        if (!first) throw quotaUsed(limits.uploadQuotaBytes)
        await storage.remove(stored.splice(0)).catch(() => {}) // else the sweep removes them
        return { attachment: toAttachment(first), created: false }
      } catch (error) {
        await storage.remove(stored).catch(() => {})
        source.stream.resume()
        throw error
      } finally {
        await Promise.all(Object.values(temp).map((path) => rm(path, { force: true })))
      }
    },

    /**
     * A sent attachment's bytes, for a member of its conversation, an organizer of its event, a moderator of
     * its event when its message is reported, or the operator (the admin token);
     * NOT_FOUND for anyone else.
     */
    async open(
      viewer: Viewer | 'admin',
      id: string,
      variant: AttachmentVariant,
      rangeOf: (size: number) => ByteRange | undefined,
    ): Promise<ServedFile> {
      const row = await prisma.attachment.findUnique({
        where: { id },
        include: { message: true, conversation: { select: { eventId: true } } },
      })
      // Not yet sent, or its message deleted (the row goes with the deletion; this guards the moment between).
      if (!row?.message || row.message.deletedAt) throw notFound('Attachment')
      if (
        viewer !== 'admin' &&
        !(await maySee(viewer, row.conversationId, row.conversation.eventId, row.message.id))
      )
        throw notFound('Attachment')
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

    /** What the event's attachments take in storage; NOT_FOUND for an event that does not exist. */
    async eventStorage(eventId: string): Promise<EventStorage> {
      const event = await prisma.event.findUnique({ where: { id: eventId }, select: { id: true } })
      if (!event) throw notFound('Event')
      const where = { conversation: { eventId } }
      const [all, unsent] = await Promise.all([
        prisma.attachment.aggregate({ where, _sum: { storedBytes: true }, _count: { _all: true } }),
        prisma.attachment.count({ where: { ...where, messageId: null } }),
      ])
      return { eventId, bytes: Number(all._sum.storedBytes ?? 0), files: all._count._all, unsent }
    },

    /** The stored files of an event's attachments: taken before the event is erased, purged after. */
    async filesOfEvent(eventId: string): Promise<Pick<AttachmentRow, 'kind' | 'storageKey'>[]> {
      return prisma.attachment.findMany({
        where: { conversation: { eventId } },
        select: { kind: true, storageKey: true },
      })
    },

    /** Removes stored objects of attachments whose rows are already gone (after a deletion committed). */
    async purge(rows: Pick<AttachmentRow, 'kind' | 'storageKey'>[]): Promise<void> {
      await storage.remove(rows.flatMap(keysOf))
    },

    /**
     * Removes what no message will ever claim, once older than `graceMs`: uploads never sent (rows and files),
     * stored objects no row names (a crash between a deletion's commit and its file removal, an upload that
     * died between storing and recording, an event deleted with its rows) and temp files a crash left behind.
     * Idempotent, and safe beside sends and other sweepers: rows are taken with SKIP LOCKED and rechecked, and
     * an object is removed only when no row of its attachment exists.
     */
    async sweep(graceMs: number): Promise<SweepResult> {
      const cutoff = new Date(Date.now() - graceMs)
      let unsent = 0
      for (;;) {
        // One statement: a row a send claims meanwhile is locked (skipped) or no longer unsent (rechecked).
        const stale = await rawQuery(prisma)<Pick<AttachmentRow, 'kind' | 'storageKey'>>(
          'attachment.sweep',
          `DELETE FROM "Attachment" WHERE id IN (
             SELECT id FROM "Attachment" WHERE "messageId" IS NULL AND "createdAt" < $1::timestamptz
             LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED
           ) AND "messageId" IS NULL RETURNING kind, "storageKey"`,
          [cutoff.toISOString()],
        )
        if (stale.length > 0) await storage.remove(stale.flatMap(keysOf))
        unsent += stale.length
        if (stale.length < SWEEP_BATCH) break
      }
      const orphanObjects = await sweepObjects(cutoff)
      const emptyFolders = (await storage.prune?.(cutoff)) ?? 0
      const tempFiles = await sweepIncoming(graceMs)
      return { unsent, orphanObjects, emptyFolders, tempFiles }
    },

    /** This instance's temp files older than `graceMs` only (the rest of the sweep runs where the lease is). */
    sweepIncoming,

    /** Ends the image decoder's process (server shutdown). */
    close: () => images.close(),
  }
}

/** What one sweep removed: unsent uploads (rows), stored objects without a row, and temp files. */
export interface SweepResult {
  unsent: number
  orphanObjects: number
  /** Folders of the disk store a crash left empty. */
  emptyFolders: number
  tempFiles: number
}

const SWEEP_BATCH = 500
/** The seed of the hash of an uploader's id that keys their quota lock (apart from other advisory locks). */
const QUOTA_LOCK = 7_001
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const quotaUsed = (quota: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `Upload quota of ${Math.floor(quota / (1024 * 1024))} MB used up`, {
    quotaBytes: quota,
  })

export type AttachmentsService = ReturnType<typeof createAttachmentsService>
