import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { redisPresenceStore } from '../cluster/redis-presence-store.ts'
import { redisTokenBuckets } from '../cluster/redis-token-buckets.ts'
import { takeLease } from '../db/lease.ts'
import { createAccessService } from '../modules/access.service.ts'
import { createAttachmentsService } from '../modules/attachments/attachments.service.ts'
import { diskStorage } from '../modules/attachments/storage.ts'
import { createConversationsService } from '../modules/conversations/conversations.service.ts'
import { createEventsService } from '../modules/events/events.service.ts'
import { createExports } from '../modules/events/export.ts'
import { createIdentityService } from '../modules/identity/identity.service.ts'
import { createInvitationsService } from '../modules/invitations/invitations.service.ts'
import { sendAdmission } from '../modules/messages/admission.ts'
import { createAnnouncementsService } from '../modules/messages/announcements.service.ts'
import { createMessagesService } from '../modules/messages/messages.service.ts'
import { createModerationService } from '../modules/moderation/moderation.service.ts'
import { createReportsService } from '../modules/moderation/reports.service.ts'
import { createPresenceService } from '../modules/presence/presence.service.ts'
import { createTypingService } from '../modules/presence/typing.service.ts'
import { pushSender } from '../modules/push/delivery.ts'
import { createPushService } from '../modules/push/push.service.ts'
import { ensureVapidKeys } from '../modules/push/vapid.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'
import { createSearchService } from '../modules/search/search.service.ts'
import type { Services } from '../modules/services.ts'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
}

/** A push the device has not fetched within an hour is dropped by the push service: old chatter, not news. */
export const PUSH_TTL_SECONDS = 3600
const PUSH_TIMEOUT_MS = 10_000

/** The domain services, wired to the database and to the realtime publisher. */
export default fp(
  async (app: FastifyInstance) => {
    const { prisma } = app.db
    const { publicUrl, sessionTtlMs, limits, presenceGraceMs } = app.config
    const publisher = app.publisher
    const typing = createTypingService(publisher)
    const { redis } = app
    // Cluster mode: presence and the per-user send, change and upload limits live in Redis, shared by every instance.
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
      awayMs: app.config.presenceAwayMs,
      store: presenceStore,
      onError: (err) => app.log.error({ err }, 'presence announcement failed'),
    })
    const pushConfig = app.config.push
    const vapid = await ensureVapidKeys(app.db.sql, {
      publicKey: pushConfig.vapidPublicKey,
      privateKey: pushConfig.vapidPrivateKey,
    })
    const pushPolicy = { allowLoopback: pushConfig.allowLoopback }
    const push = createPushService({
      prisma,
      publisher,
      publicKey: vapid.publicKey,
      policy: pushPolicy,
      send: pushSender({
        vapid,
        subject: pushConfig.subject,
        policy: pushPolicy,
        ttlSeconds: PUSH_TTL_SECONDS,
        timeoutMs: PUSH_TIMEOUT_MS,
      }),
      present: (userIds) => presence.present(userIds),
      onResult: (result) => app.metrics.pushResult(result),
      onError: (err, what) => app.log.warn({ err }, what),
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
    const localUploadLimiter = memoryTokenBuckets(limits.uploadsPerMin / 60, limits.uploadsPerMin)
    const uploadLimiter = redis
      ? redisTokenBuckets(redis.commands, {
          prefix: redis.prefix,
          name: 'upload',
          perSec: limits.uploadsPerMin / 60,
          burst: limits.uploadsPerMin,
          fallback: localUploadLimiter,
          failed: redis.failed,
        })
      : localUploadLimiter
    // Attachment files: FILES_DIR or DATA_DIR/files; with an in-memory database, a temp folder of this app.
    const filesDir = app.config.filesDir ?? (await mkdtemp(join(tmpdir(), 'secura-files-')))
    const { s3 } = app.config
    // The AWS SDK is loaded only when S3 is configured: held from the start, it is about 3 MB of the heap.
    const bucket = s3 ? (await import('../modules/attachments/s3-storage.ts')).s3Bucket(s3) : undefined
    const attachments = createAttachmentsService({
      prisma,
      // With S3 the bucket holds the files and the folder only uploads being checked.
      storage: bucket?.storage ?? diskStorage(join(filesDir, 'objects')),
      tempDir: join(filesDir, 'incoming'),
      limits,
      uploadLimiter,
      imageRenders: app.config.imageRenders,
    })
    const sweep = setInterval(() => void sweepUploads(), app.config.uploadSweepMs)
    // Subscriptions whose session is gone: each hour, on every instance (each row is deleted once).
    const pushSweep = setInterval(
      () => void push.sweep().catch((err) => app.log.warn({ err }, 'push subscription sweep failed')),
      60 * 60 * 1000,
    )
    pushSweep.unref()
    sweep.unref()
    // Every instance clears its own temp folder; the rows and the shared storage are swept by whichever
    // instance takes the lease for the period (the sweep is safe twice over, the lease saves the work).
    const sweeper = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
    let sweeping = false
    async function sweepUploads() {
      if (sweeping) return // the last one still runs (a large bucket): no second one beside it
      sweeping = true
      const { uploadGraceMs, uploadSweepMs } = app.config
      try {
        const leased = await takeLease(prisma, 'attachment-sweep', sweeper, uploadSweepMs)
        const result = leased
          ? await attachments.sweep(uploadGraceMs)
          : {
              unsent: 0,
              orphanObjects: 0,
              emptyFolders: 0,
              tempFiles: await attachments.sweepIncoming(uploadGraceMs),
            }
        app.metrics.attachmentsSwept('unsent', result.unsent)
        app.metrics.attachmentsSwept('orphan_object', result.orphanObjects)
        app.metrics.attachmentsSwept('empty_folder', result.emptyFolders)
        app.metrics.attachmentsSwept('temp_file', result.tempFiles)
        app.log.info({ ...result, shared: leased }, 'attachment sweep')
      } catch (err) {
        app.log.warn({ err }, 'attachment sweep failed')
      } finally {
        sweeping = false
      }
    }
    const moderation = createModerationService({ prisma, publisher })
    app.decorate('services', {
      identity: createIdentityService({
        prisma,
        publisher,
        sessionTtlMs,
        readableMs: app.config.eventReadableMs,
      }),
      events: createEventsService({ prisma, publisher, presence, pageMax: limits.pageMax }),
      exports: createExports(prisma, publicUrl),
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
        writers: app.config.sendWriters,
        singles: app.config.sendSingles,
        groupCommit: app.config.sendGroupCommit,
        onSent: (notice) => push.notify(notice),
        admission: sendAdmission(
          {
            maxInFlight: app.config.sendsInFlight,
            maxQueueMs: app.config.sendQueueMs,
            targetMs: app.config.sendQueueTargetMs,
          },
          { onRefused: (reason) => app.metrics.sendRefused(reason) },
        ),
      }),
      presence,
      typing,
      attachments,
      moderation,
      announcements: createAnnouncementsService({ prisma, publisher, changeLimiter }),
      reports: createReportsService({ prisma, publisher, moderation, attachments }),
      search: createSearchService({ prisma, limits }),
      push,
    })
    // Before the requests in flight are waited for: an upload waiting for the image decoder is answered
    // UNAVAILABLE at once (the client sends it again, to another instance, with its key), not decoded first.
    app.addHook('preClose', async () => attachments.close())
    app.addHook('onClose', async () => {
      clearInterval(sweep)
      clearInterval(pushSweep)
      bucket?.close()
      if (!app.config.filesDir) await rm(filesDir, { recursive: true, force: true })
      typing.close()
      push.close()
      await presence.close()
    })
  },
  { name: 'services', dependencies: ['db', 'realtime', 'redis'] },
)
