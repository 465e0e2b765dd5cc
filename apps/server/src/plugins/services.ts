import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { redisPresenceStore } from '../cluster/redis-presence-store.ts'
import { redisTokenBuckets } from '../cluster/redis-token-buckets.ts'
import { createAccessService } from '../modules/access.service.ts'
import { createAttachmentsService } from '../modules/attachments/attachments.service.ts'
import { s3Storage } from '../modules/attachments/s3-storage.ts'
import { diskStorage, type FileStorage } from '../modules/attachments/storage.ts'
import { createConversationsService } from '../modules/conversations/conversations.service.ts'
import { createEventsService } from '../modules/events/events.service.ts'
import { createIdentityService } from '../modules/identity/identity.service.ts'
import { createInvitationsService } from '../modules/invitations/invitations.service.ts'
import { sendAdmission } from '../modules/messages/admission.ts'
import { createAnnouncementsService } from '../modules/messages/announcements.service.ts'
import { createMessagesService } from '../modules/messages/messages.service.ts'
import { createModerationService } from '../modules/moderation/moderation.service.ts'
import { createReportsService } from '../modules/moderation/reports.service.ts'
import { createPresenceService } from '../modules/presence/presence.service.ts'
import { createTypingService } from '../modules/presence/typing.service.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'
import type { Services } from '../modules/services.ts'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
}

const UNSENT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000

/** The domain services, wired to the database and to the realtime publisher. */
export default fp(
  async (app: FastifyInstance) => {
    const { prisma } = app.db
    const { publicUrl, sessionTtlMs, limits, presenceGraceMs } = app.config
    const publisher = app.publisher
    const typing = createTypingService(publisher)
    const { redis } = app
    // Cluster mode: presence and the per-user send and change limits live in Redis, shared by every instance.
    const presenceStore = redis
      ? redisPresenceStore(redis.commands, {
          prefix: redis.prefix,
          instanceId: redis.instanceId,
          graceMs: presenceGraceMs,
          failed: redis.failed,
        })
      : undefined
    if (presenceStore) redis?.membership.join(presenceStore)
    const presence = createPresenceService({
      prisma,
      publisher,
      graceMs: presenceGraceMs,
      store: presenceStore,
      onError: (err) => app.log.error({ err }, 'presence announcement failed'),
    })
    const localSendLimiter = memoryTokenBuckets(limits.sendPerSec, limits.sendBurst)
    const sendLimiter = redis
      ? redisTokenBuckets(redis.commands, {
          prefix: redis.prefix,
          name: 'send',
          perSec: limits.sendPerSec,
          burst: limits.sendBurst,
          fallback: localSendLimiter,
          failed: redis.failed,
        })
      : localSendLimiter
    const localChangeLimiter = memoryTokenBuckets(limits.changePerSec, limits.changeBurst)
    const changeLimiter = redis
      ? redisTokenBuckets(redis.commands, {
          prefix: redis.prefix,
          name: 'change',
          perSec: limits.changePerSec,
          burst: limits.changeBurst,
          fallback: localChangeLimiter,
          failed: redis.failed,
        })
      : localChangeLimiter
    // Attachment files: FILES_DIR or DATA_DIR/files; with an in-memory database, a temp folder of this app.
    const filesDir = app.config.filesDir ?? (await mkdtemp(join(tmpdir(), 'secura-files-')))
    const { s3 } = app.config
    const s3Client = s3
      ? new S3Client({
          region: s3.region,
          // Plain bodies with a length: the SDK's default aws-chunked trailing checksums are not understood
          // by every S3-compatible server (they would be stored as part of the file).
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          ...(s3.endpoint && { endpoint: s3.endpoint, forcePathStyle: true }),
          ...(s3.accessKeyId &&
            s3.secretAccessKey && {
              credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
            }),
        })
      : undefined
    // With S3 the bucket holds the files and the folder only uploads being checked.
    const fileStorage = (dir: string): FileStorage =>
      s3 && s3Client
        ? s3Storage({ client: s3Client, bucket: s3.bucket, prefix: s3.prefix })
        : diskStorage(join(dir, 'objects'))
    const attachments = createAttachmentsService({
      prisma,
      storage: fileStorage(filesDir),
      tempDir: join(filesDir, 'incoming'),
      limits,
      uploadLimiter: memoryTokenBuckets(limits.uploadsPerMin / 60, limits.uploadsPerMin),
    })
    // Uploads never sent go after a day; a sweep each hour, on every instance (each row is deleted once).
    const sweep = setInterval(
      () =>
        attachments.sweep(UNSENT_UPLOAD_TTL_MS).catch((err) => app.log.warn({ err }, 'upload sweep failed')),
      60 * 60 * 1000,
    )
    sweep.unref()
    const moderation = createModerationService({ prisma, publisher })
    app.decorate('services', {
      identity: createIdentityService({ prisma, publisher, sessionTtlMs }),
      events: createEventsService({ prisma, publisher, presence, pageMax: limits.pageMax }),
      invitations: createInvitationsService({ prisma, publisher, publicUrl }),
      access: createAccessService(prisma),
      conversations: createConversationsService({ prisma, publisher, presence, limits }),
      messages: createMessagesService({
        prisma,
        publisher,
        limits,
        sendLimiter,
        changeLimiter,
        typing,
        attachments,
        admission: sendAdmission(
          { maxInFlight: app.config.sendsInFlight, maxQueueMs: app.config.sendQueueMs },
          { onRefused: (reason) => app.metrics.sendRefused(reason) },
        ),
      }),
      presence,
      typing,
      attachments,
      moderation,
      announcements: createAnnouncementsService({ prisma, publisher, changeLimiter }),
      reports: createReportsService({ prisma, publisher, moderation, attachments }),
    })
    app.addHook('onClose', async () => {
      clearInterval(sweep)
      s3Client?.destroy()
      if (!app.config.filesDir) await rm(filesDir, { recursive: true, force: true })
      typing.close()
      await presence.close()
    })
  },
  { name: 'services', dependencies: ['db', 'realtime', 'redis'] },
)
