import {
  type NotificationPreferences,
  type PushPayload,
  type PushSubscribeBody,
  type QuietHours,
  Room,
} from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { notFound } from '../../errors.ts'
import type { Viewer } from '../access.ts'
import type { Publisher } from '../ports.ts'
import { boundedQueue, type Delivery, type PushTarget } from './delivery.ts'
import { checkEndpoint, type EndpointPolicy } from './endpoint.ts'
import { fromStored, isQuiet, type StoredQuietHours, toStored } from './quiet-hours.ts'

/** A message just stored, as the push service needs it (messages.service tells it after the ack). */
export interface SentNotice {
  conversationId: string
  messageId: string
  senderId: string
  kind: 'event' | 'direct' | 'group'
  preview: string
  mentions: string[]
  mentionsHere: boolean
  /** A lobby announcement (protocol §3.3): pushed to every guest of the event, like `@here`. */
  announcement: boolean
}

export type PushResult = 'delivered' | 'gone' | 'failed' | 'dropped'

export interface PushDeps {
  prisma: PrismaClient
  publisher: Publisher
  publicKey: string
  policy: EndpointPolicy
  /** Sends one push and answers the push service's status (delivery.ts). */
  send(delivery: Delivery): Promise<number>
  /** Users a push would only duplicate: a socket open and not away (they see the toast instead). */
  present(userIds: string[]): Promise<Set<string>>
  concurrency?: number
  maxQueued?: number
  now?: () => Date
  onResult?(result: PushResult): void
  onError?(error: unknown, what: string): void
}

interface Recipient extends PushTarget, StoredQuietHours {
  userId: string
}

/**
 * Web Push: subscriptions (one per browser, bound to the session that made it), the guest's preferences
 * (muted conversations, quiet hours) and delivery. What is pushed: a direct message, a message that
 * mentions the guest, an organizer's `@here` and an announcement — never the lobby's chatter; not to a muted conversation,
 * not in quiet hours, not to a guest who has the app open and is not away. Delivery runs off the send path
 * in a bounded queue; a 404 or 410 deletes the subscription; other failures are counted and logged, and
 * nothing is retried.
 */
export function createPushService(deps: PushDeps) {
  const { prisma, publisher, policy } = deps
  const now = deps.now ?? (() => new Date())
  const onResult = deps.onResult ?? (() => {})
  const onError = deps.onError ?? (() => {})

  const queue = boundedQueue<Delivery>({
    concurrency: deps.concurrency ?? 8,
    maxQueued: deps.maxQueued ?? 10_000,
    onDropped: () => onResult('dropped'),
    async run(delivery) {
      let status: number
      try {
        status = await deps.send(delivery)
      } catch (error) {
        onResult('failed')
        onError(error, 'push delivery failed')
        return
      }
      if (status === 404 || status === 410) {
        // The browser unsubscribed, or the push service forgot it: it will never accept another.
        await prisma.pushSubscription
          .deleteMany({ where: { id: delivery.target.id } })
          .catch((e) => onError(e, 'push subscription delete failed'))
        onResult('gone')
      } else if (status >= 200 && status < 300) onResult('delivered')
      else {
        onResult('failed')
        onError(new Error(`push service answered ${status}`), 'push delivery failed')
      }
    },
  })

  async function preferences(viewer: Viewer): Promise<NotificationPreferences> {
    const [muted, user] = await Promise.all([
      prisma.member.findMany({
        where: { userId: viewer.id, muted: true, conversation: { eventId: viewer.eventId } },
        select: { conversationId: true },
        orderBy: { conversationId: 'asc' },
      }),
      prisma.user.findUnique({
        where: { id: viewer.id },
        select: { quietStart: true, quietEnd: true, quietTimeZone: true },
      }),
    ])
    return {
      mutedConversationIds: muted.map((m) => m.conversationId),
      quietHours: user ? fromStored(user) : null,
    }
  }

  /** The new preferences, to the guest's other devices too. */
  async function changed(viewer: Viewer): Promise<NotificationPreferences> {
    const prefs = await preferences(viewer)
    publisher.emit(Room.user(viewer.id), 'notifications:updated', prefs)
    return prefs
  }

  async function recipients(notice: SentNotice): Promise<Recipient[]> {
    const everyone =
      notice.kind === 'direct' || (notice.kind === 'event' && (notice.mentionsHere || notice.announcement))
    if (!everyone && notice.mentions.length === 0) return []
    return prisma.$queryRaw<Recipient[]>`
      SELECT ps.id, ps.endpoint, ps.p256dh, ps.auth, ps."userId",
             u."quietStart", u."quietEnd", u."quietTimeZone"
      FROM "PushSubscription" ps
      JOIN "Session" s ON s.id = ps."sessionId" AND s."revokedAt" IS NULL AND s."expiresAt" > now()
      JOIN "User" u ON u.id = ps."userId" AND u."removedAt" IS NULL
      JOIN "Member" m ON m."conversationId" = ${notice.conversationId}::uuid
                     AND m."userId" = ps."userId" AND NOT m.muted
      WHERE ps."userId" <> ${notice.senderId}::uuid
        AND (${everyone} OR ps."userId" = ANY(${notice.mentions}::uuid[]))`
  }

  async function payloadFor(notice: SentNotice): Promise<PushPayload | undefined> {
    const rows = await prisma.$queryRaw<{ sender: string; title: string | null; eventName: string }[]>`
      SELECT u."displayName" AS sender, c.title, e.name AS "eventName"
      FROM "Conversation" c JOIN "Event" e ON e.id = c."eventId" JOIN "User" u ON u.id = ${notice.senderId}::uuid
      WHERE c.id = ${notice.conversationId}::uuid`
    const row = rows[0]
    if (!row) return undefined
    const where = notice.kind === 'direct' ? '' : ` · ${notice.kind === 'group' ? row.title : row.eventName}`
    return {
      title: notice.announcement ? `Announcement · ${row.eventName}` : `${row.sender}${where}`,
      body: notice.preview,
      url: `/c/${notice.conversationId}/m/${notice.messageId}`,
      tag: notice.conversationId,
    }
  }

  async function fanOut(notice: SentNotice) {
    const found = await recipients(notice)
    if (found.length === 0) return
    const at = now()
    const present = await deps.present([...new Set(found.map((r) => r.userId))])
    const due = found.filter((r) => !present.has(r.userId) && !isQuiet(r, at))
    if (due.length === 0) return
    const payload = await payloadFor(notice)
    if (!payload) return
    // A direct message or a mention is for this guest; `@here` and announcements are for everyone, and may
    // wait for a radio.
    const personal = notice.kind === 'direct' || notice.mentions.length > 0
    for (const r of due) {
      const urgency =
        personal && (notice.kind === 'direct' || notice.mentions.includes(r.userId)) ? 'high' : 'normal'
      queue.push({ target: r, payload, urgency, topic: notice.conversationId.replaceAll('-', '') })
    }
  }

  return {
    publicKey: () => ({ publicKey: deps.publicKey }),

    /**
     * Subscribes this browser for this session: one subscription per session (a session is one browser),
     * so a new one replaces the session's last and rows stay bounded; the same endpoint again moves to the
     * newest session.
     */
    async subscribe(
      viewer: Viewer,
      sessionId: string,
      body: PushSubscribeBody,
    ): Promise<{ endpoint: string }> {
      checkEndpoint(body.endpoint, policy)
      const data = { sessionId, userId: viewer.id, p256dh: body.keys.p256dh, auth: body.keys.auth }
      await prisma.$transaction([
        prisma.pushSubscription.deleteMany({ where: { sessionId, endpoint: { not: body.endpoint } } }),
        prisma.pushSubscription.upsert({
          where: { endpoint: body.endpoint },
          create: { id: uuidv7(), endpoint: body.endpoint, ...data },
          update: data,
        }),
      ])
      return { endpoint: body.endpoint }
    },

    /** Removes the guest's subscription of that endpoint; one that is not there is no error. */
    async unsubscribe(viewer: Viewer, endpoint: string): Promise<void> {
      await prisma.pushSubscription.deleteMany({ where: { endpoint, userId: viewer.id } })
    },

    preferences,

    async setQuietHours(viewer: Viewer, quiet: QuietHours | null): Promise<NotificationPreferences> {
      await prisma.user.update({ where: { id: viewer.id }, data: toStored(quiet) })
      return changed(viewer)
    },

    async setMuted(viewer: Viewer, conversationId: string, muted: boolean): Promise<NotificationPreferences> {
      const { count } = await prisma.member.updateMany({
        where: { conversationId, userId: viewer.id, conversation: { eventId: viewer.eventId } },
        data: { muted },
      })
      if (count === 0) throw notFound('Conversation')
      return changed(viewer)
    },

    /** After a send's ack: finds who to push to and queues it. Never throws, never delays the sender. */
    notify(notice: SentNotice): void {
      setImmediate(() => fanOut(notice).catch((error) => onError(error, 'push fan-out failed')))
    },

    /** Subscriptions of sessions that ended (expired, revoked) go; an hourly sweep. */
    async sweep(): Promise<number> {
      const gone = await prisma.$executeRaw`
        DELETE FROM "PushSubscription" ps USING "Session" s
        WHERE s.id = ps."sessionId" AND (s."revokedAt" IS NOT NULL OR s."expiresAt" <= now())`
      return gone
    },

    idle: () => queue.idle(),
    close() {
      queue.clear()
    },
  }
}

export type PushService = ReturnType<typeof createPushService>
