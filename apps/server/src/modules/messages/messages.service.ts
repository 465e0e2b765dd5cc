import {
  type Limits,
  type Message,
  type MessagePage,
  type MessageSendCommand,
  PREVIEW_CHARS,
  type ReactionSummary,
  Room,
  type SyncResponse,
} from '@secura/shared'
import { uuidv7 } from 'uuidv7'
import type { PrismaClient } from '../../db/prisma.ts'
import { AppError, conflict, forbidden, isUniqueViolation, notFound, validation } from '../../errors.ts'
import { isStaff, type Viewer, visibleConversation } from '../access.ts'
import type { AttachmentsService } from '../attachments/attachments.service.ts'
import { muteGuard } from '../moderation/mute.ts'
import type { Publisher } from '../ports.ts'
import type { TypingService } from '../presence/typing.service.ts'
import type { SentNotice } from '../push/push.service.ts'
import { enforce, type RateLimiter } from '../rate-limit.ts'
import { type SendAdmission, sendAdmission } from './admission.ts'
import { assertMayAnnounce } from './announcements.service.ts'
import { checkMentions, type Mentions } from './mentions.ts'
import { applyReaction } from './reactions.ts'
import { revise } from './revise.ts'
import { insertWithAttachments } from './send-attachments.ts'
import { sendQueue } from './send-queue.ts'
import { createMessageStore, type RowWithReactions, type SentRow } from './store.ts'
import { tombstone } from './tombstone.ts'
import { reactionsOf, summarize, toMessage, withReactions } from './wire.ts'

export interface MessagesDeps {
  prisma: PrismaClient
  publisher: Publisher
  limits: Limits
  sendLimiter: RateLimiter
  /** Edits and reactions per user, shared by REST and socket (and by instances in cluster mode). */
  changeLimiter: RateLimiter
  typing: TypingService
  /** Bounds on sends in flight (admission.ts); none when not given. */
  admission?: SendAdmission
  /** Removes a deleted message's files; without it, messages cannot carry attachments. */
  attachments?: AttachmentsService
  /** The send queue's writers, single writes and group commit (send-queue.ts); its defaults when left out. */
  writers?: number
  singles?: number
  groupCommit?: boolean
  /** Told of each new message after its broadcast (Web Push); must not block or throw. */
  onSent?: (notice: SentNotice) => void
}

const withPairs = ({ reactionPairs, ...row }: RowWithReactions) =>
  toMessage(row, summarize(reactionPairs ?? []))

export function createMessagesService(deps: MessagesDeps) {
  const {
    prisma,
    publisher,
    limits,
    sendLimiter,
    changeLimiter,
    typing,
    attachments,
    writers,
    singles,
    groupCommit,
    onSent,
    admission = sendAdmission({
      maxInFlight: Number.POSITIVE_INFINITY,
      maxQueueMs: Number.POSITIVE_INFINITY,
    }),
  } = deps
  const store = createMessageStore(prisma)
  const assertNotMuted = muteGuard(prisma)
  const sends = sendQueue(store, {
    ...(writers !== undefined && { writers }),
    ...(singles !== undefined && { singles }),
    ...(groupCommit !== undefined && { groupCommit }),
  })
  function checkedContent(raw: string, mayBeEmpty = false): string {
    const content = raw.trim()
    if (content.length === 0 && !mayBeEmpty) throw validation('Message text must not be empty')
    // Counted in UTF-16 units, as the shared schema (and every JavaScript client) counts string length.
    if (content.length > limits.messageChars) {
      throw validation(`Message text must be at most ${limits.messageChars} characters`)
    }
    return content
  }

  /** A message the viewer can see (its conversation is visible to them), in `conversationId` when given. */
  async function visibleMessage(viewer: Viewer, messageId: string, conversationId?: string) {
    const row = await prisma.message.findUnique({ where: { id: messageId } })
    if (!row || (conversationId !== undefined && row.conversationId !== conversationId))
      throw notFound('Message')
    try {
      const access = await visibleConversation(prisma, viewer, row.conversationId)
      return { row, ...access }
    } catch {
      throw notFound('Message')
    }
  }

  /** Why a lobby send wrote nothing, when it is the announcement-only setting: FORBIDDEN, with the reason. */
  async function assertMayWriteInLobby(viewer: Viewer) {
    const user = await prisma.user.findUnique({
      where: { id: viewer.id },
      select: { role: true, event: { select: { announcementOnly: true } } },
    })
    if (user?.role === 'guest' && user.event.announcementOnly) {
      throw forbidden('The lobby is for announcements only: organizers and moderators write here', {
        reason: 'announcement-only',
      })
    }
  }

  /**
   * A page of `fetch`'s rows: at most `limit` (capped at pageMax), asked for one more to tell whether there
   * are more. An empty page is either an empty conversation or one the viewer may not see: tell which.
   */
  async function pageOf(
    viewer: Viewer,
    conversationId: string,
    limit: number,
    fetch: (take: number) => Promise<RowWithReactions[]>,
  ): Promise<{ rows: RowWithReactions[]; hasMore: boolean }> {
    const take = Math.min(limit, limits.pageMax)
    const rows = await fetch(take + 1)
    if (rows.length === 0) await visibleConversation(prisma, viewer, conversationId)
    return { rows: rows.slice(0, take), hasMore: rows.length > take }
  }

  async function findBySender(senderId: string, clientMessageId: string): Promise<Message | null> {
    const row = await prisma.message.findUnique({
      where: { senderId_clientMessageId: { senderId, clientMessageId } },
    })
    if (!row) return null
    const [message] = await withReactions(prisma, [row])
    return message ?? null
  }

  return {
    /**
     * Stores a message once per (sender, clientMessageId). One statement checks membership, takes seq and
     * rev and writes the row — shared with the sends that arrive meanwhile (send-queue.ts); a replay writes
     * nothing (its insert fails on the unique key, rolling the counters back, so seq has no gaps, or a batch
     * leaves it out) and is answered with the original, as is a replay refused by any check on the way.
     * Broadcasts only what this call created, after it committed.
     */
    async send(viewer: Viewer, command: MessageSendCommand): Promise<{ message: Message; created: boolean }> {
      const replayOr = async (error: unknown) => {
        const original = await findBySender(viewer.id, command.clientMessageId)
        if (original) return { message: original, created: false }
        throw error
      }
      const attachmentIds = command.attachmentIds ?? []
      let content: string
      let mentions: Mentions
      try {
        content = checkedContent(command.content, attachmentIds.length > 0)
        if (attachmentIds.length > limits.attachmentsPerMessage)
          throw validation(`A message may carry at most ${limits.attachmentsPerMessage} attachments`)
        if (attachmentIds.length > 0 && !attachments) throw validation('Attachments are not enabled')
        mentions = await checkMentions(
          prisma,
          viewer,
          command.conversationId,
          command.mentions,
          command.mentionsHere,
        )
        if (command.announcement) await assertMayAnnounce(prisma, viewer, command.conversationId)
        await enforce(sendLimiter, viewer.id, 'messages')
      } catch (error) {
        return replayOr(error)
      }

      let row: SentRow | undefined
      try {
        const message = {
          viewer,
          id: uuidv7(),
          conversationId: command.conversationId,
          clientMessageId: command.clientMessageId,
          content,
          replyToId: command.replyToId ?? null,
          mentions: mentions.ids,
          mentionsHere: mentions.here,
          announcement: command.announcement === true,
        }
        // Refused here (UNAVAILABLE) when the instance already has more than it can answer in time.
        // With attachments, its own transaction (they are claimed with the insert); without, the batched path.
        row = await admission.run(() =>
          attachmentIds.length > 0
            ? insertWithAttachments(prisma, viewer, message, attachmentIds)
            : // Announcements are rare and carry a column the batched statement does not write.
              message.announcement
              ? store.insert(viewer, message)
              : sends.insert(message),
        )
      } catch (error) {
        // A replay of a send with attachments finds them claimed (by the original): answered with it.
        if (attachmentIds.length > 0 && error instanceof AppError) return replayOr(error)
        if (!isUniqueViolation(error)) throw error
        // The same clientMessageId was stored before, or won a race over the other transport.
        return replayOr(error)
      }
      if (!row) {
        // Nothing written: a replay (left out of a batch, or from a conversation the sender has left), a
        // muted sender (FORBIDDEN with the mute's end), a stranger (NOT_FOUND, existence not revealed), or a
        // reply to a message of another conversation.
        const original = await findBySender(viewer.id, command.clientMessageId)
        if (original) return { message: original, created: false }
        await assertNotMuted(viewer.id)
        const { conversation } = await visibleConversation(prisma, viewer, command.conversationId)
        if (conversation.kind === 'event') await assertMayWriteInLobby(viewer)
        throw validation('replyToId must be a message of the same conversation')
      }
      const message = toMessage(row)
      const conversationId = message.conversationId

      typing.clear(conversationId, viewer.id)
      publisher.emit(Room.conversation(conversationId), 'message:new', message)
      const received = {
        conversationId,
        messageId: message.id,
        seq: message.seq,
        senderId: viewer.id,
        preview: (content || attachmentsPreview(message.attachments)).slice(0, PREVIEW_CHARS),
        ...(message.mentions ? { mentions: message.mentions } : {}),
        ...(message.mentionsHere ? { mentionsHere: true as const } : {}),
        ...(message.announcement ? { announcement: true as const } : {}),
      }
      // The badge goes to the members' other sockets: one viewing the conversation has just had the whole
      // message, and two packets for one message would double what the busiest path writes.
      const viewing = Room.conversation(conversationId)
      if (row.kind === 'event') {
        // One emit to the whole event, not one per guest.
        publisher.emit(Room.event(viewer.eventId), 'conversation:message-received', received, [
          Room.user(viewer.id),
          viewing,
        ])
      } else if (row.recipients && row.recipients.length > 0) {
        publisher.emit(row.recipients.map(Room.user), 'conversation:message-received', received, viewing)
      }
      onSent?.({
        conversationId,
        messageId: message.id,
        senderId: viewer.id,
        kind: row.kind,
        preview: received.preview,
        mentions: message.mentions ?? [],
        mentionsHere: message.mentionsHere === true,
        announcement: message.announcement === true,
      })
      return { message, created: true }
    },

    /** History newest page first: the `limit` messages before `beforeSeq` (or the latest), in seq order. */
    async history(
      viewer: Viewer,
      conversationId: string,
      beforeSeq?: number,
      limit = limits.pageDefault,
    ): Promise<MessagePage> {
      const { rows, hasMore } = await pageOf(viewer, conversationId, limit, (n) =>
        store.pageBefore(viewer, conversationId, beforeSeq, n),
      )
      return { messages: rows.reverse().map(withPairs), hasMore }
    },

    /** Paging forward: the `limit` messages after `afterSeq`, in seq order; `hasMore` = `hasNewer`. */
    async historyAfter(
      viewer: Viewer,
      conversationId: string,
      afterSeq: number,
      limit = limits.pageDefault,
    ): Promise<MessagePage> {
      const { rows, hasMore: hasNewer } = await pageOf(viewer, conversationId, limit, (n) =>
        store.pageAfter(viewer, conversationId, afterSeq, n),
      )
      return { messages: rows.map(withPairs), hasMore: hasNewer, hasNewer }
    },

    /**
     * History opened at a message (a search hit, a link): the message at `at` (a seq — past the end, the
     * latest before it — or a message id), about half of `limit` before it and the rest after, in seq
     * order. `hasMore`: older ones exist; `hasNewer`: newer ones do.
     */
    async historyAround(
      viewer: Viewer,
      conversationId: string,
      at: { seq: number } | { messageId: string },
      limit = limits.pageDefault,
    ): Promise<MessagePage> {
      const take = Math.min(limit, limits.pageMax)
      const before = Math.floor((take - 1) / 2)
      const after = take - 1 - before
      // One more on each side than shown tells whether there is more beyond it.
      const rows = await store.pageAround(viewer, conversationId, at, before + 2, after + 1)
      if (rows.length === 0) await visibleConversation(prisma, viewer, conversationId)
      const point = 'seq' in at ? at.seq : rows.find((r) => r.id === at.messageId)?.seq
      if (point === undefined) throw notFound('Message')
      const upTo = rows.filter((r) => r.seq <= point)
      const later = rows.filter((r) => r.seq > point)
      return {
        messages: [...upTo.slice(0, before + 1).reverse(), ...later.slice(0, after)].map(withPairs),
        hasMore: upTo.length > before + 1,
        hasNewer: later.length > after,
      }
    },

    /** Every message changed after `sinceRev` (new, edited, deleted, reacted), in rev order. */
    async changes(
      viewer: Viewer,
      conversationId: string,
      sinceRev: number,
      limit = limits.pageMax,
    ): Promise<MessagePage> {
      const { rows, hasMore } = await pageOf(viewer, conversationId, limit, (n) =>
        store.changedSince(viewer, conversationId, sinceRev, n),
      )
      return { messages: rows.map(withPairs), hasMore }
    },

    /** Changes of many conversations in one round trip; conversations the viewer cannot see are left out. */
    async sync(viewer: Viewer, cursors: { conversationId: string; rev: number }[]): Promise<SyncResponse> {
      const ids = [...new Set(cursors.map((c) => c.conversationId))]
      const visible = await prisma.member.findMany({
        where: { userId: viewer.id, conversationId: { in: ids }, conversation: { eventId: viewer.eventId } },
        select: { conversation: { select: { id: true, lastSeq: true, lastRev: true } } },
      })
      const heads = new Map(visible.map((m) => [m.conversation.id, m.conversation]))
      const changes: SyncResponse['changes'] = []
      for (const cursor of cursors) {
        const head = heads.get(cursor.conversationId)
        if (!head) continue
        heads.delete(cursor.conversationId)
        const page =
          head.lastRev > cursor.rev
            ? await changesOf(head.id, cursor.rev, limits.pageMax)
            : { messages: [], hasMore: false }
        changes.push({ conversationId: head.id, lastSeq: head.lastSeq, lastRev: head.lastRev, ...page })
      }
      return { changes }
    },

    async edit(
      viewer: Viewer,
      messageId: string,
      newContent: string,
      conversationId?: string,
    ): Promise<Message> {
      await enforce(changeLimiter, viewer.id, 'edits and reactions')
      await assertNotMuted(viewer.id)
      const { row } = await visibleMessage(viewer, messageId, conversationId)
      if (row.kind === 'system') throw forbidden('A system line cannot be edited')
      if (row.senderId !== viewer.id) throw forbidden('Only the sender can edit a message')
      if (row.deletedAt) throw conflict('A deleted message cannot be edited')
      const content = checkedContent(newContent)
      const updated = await revise(prisma, row.conversationId, row.id, {
        set: `content = $3, "editedAt" = now()`,
        params: [content],
      })
      if (!updated) throw conflict('A deleted message cannot be edited')
      const [message] = await withReactions(prisma, [updated])
      publisher.emit(Room.conversation(row.conversationId), 'message:edited', {
        conversationId: row.conversationId,
        messageId: row.id,
        newContent: content,
        editedAt: message!.editedAt!,
        rev: message!.rev,
      })
      return message!
    },

    /** Leaves a tombstone: the row stays (seq has no holes), its text and reactions go. Idempotent. */
    async delete(viewer: Viewer, messageId: string, conversationId?: string): Promise<Message> {
      const { row } = await visibleMessage(viewer, messageId, conversationId)
      if (row.kind === 'system') throw forbidden('A system line cannot be deleted')
      if (row.senderId !== viewer.id && !isStaff(viewer)) {
        throw forbidden('Only the sender or a moderator can delete a message')
      }
      return tombstone(prisma, publisher, row, viewer.id, attachments)
    },

    /** Adds, removes or (no action) toggles one emoji of the viewer on a message. */
    async react(
      viewer: Viewer,
      messageId: string,
      emoji: string,
      action?: 'add' | 'remove',
      conversationId?: string,
    ): Promise<Message> {
      await enforce(changeLimiter, viewer.id, 'edits and reactions')
      await assertNotMuted(viewer.id)
      const { row } = await visibleMessage(viewer, messageId, conversationId)
      if (row.kind === 'system') throw forbidden('A system line cannot take reactions')
      if (row.deletedAt) throw conflict('A deleted message cannot take reactions')
      const result = await applyReaction(prisma, {
        conversationId: row.conversationId,
        messageId: row.id,
        userId: viewer.id,
        emoji,
        action,
      })
      const current = result.row ?? (await prisma.message.findUnique({ where: { id: row.id } }))!
      const reactions: ReactionSummary[] = (await reactionsOf(prisma, [row.id])).get(row.id) ?? []
      const message = toMessage(current, reactions)
      if (result.row && result.effective) {
        publisher.emit(Room.conversation(row.conversationId), 'message:reaction', {
          conversationId: row.conversationId,
          messageId: row.id,
          userId: viewer.id,
          emoji,
          action: result.effective,
          reactions,
          rev: message.rev,
        })
      }
      return message
    },
  }

  async function changesOf(conversationId: string, sinceRev: number, limit: number): Promise<MessagePage> {
    const rows = await store.changedSinceChecked(conversationId, sinceRev, limit + 1)
    return { messages: rows.slice(0, limit).map(withPairs), hasMore: rows.length > limit }
  }
}

export type MessagesService = ReturnType<typeof createMessagesService>

/** What a badge shows for a message of attachments only: "📷 2 photos", "📎 slides.pdf". */
function attachmentsPreview(attachments: Message['attachments']): string {
  if (!attachments || attachments.length === 0) return ''
  const photos = attachments.filter((a) => a.kind === 'image').length
  if (photos === attachments.length) return photos === 1 ? '📷 Photo' : `📷 ${photos} photos`
  return attachments.length === 1 ? `📎 ${attachments[0]!.name}` : `📎 ${attachments.length} attachments`
}
