import type { ChatModel } from './model.ts'
import type { Sync } from './sync.ts'
import type { ChatSocket } from './transport.ts'

/**
 * Server → client events of protocol §5, applied to the model. Message changes go by rev; gaps they reveal
 * are handed to the sync. Returns a function that unbinds everything.
 */
export function bindLiveEvents(
  socket: ChatSocket,
  model: ChatModel,
  sync: Sync,
  /** An indicator lasts a little longer than the server's own expiry, in case its stop is lost. */
  typingBackstopMs: number,
  /** Fetches the announcements again: one arrived in the lobby while another conversation was open. */
  refreshAnnouncements: () => Promise<void>,
): () => void {
  const { state, meId } = model
  const typingTimers = new Set<ReturnType<typeof setTimeout>>()

  const unbind = [
    socket.on('message:new', (message) => {
      sync.onGaps(message.conversationId, model.applyMessages(message.conversationId, [message], true))
      if (message.announcement) state.addAnnouncement(message)
    }),
    socket.on('message:edited', (e) => sync.onGaps(e.conversationId, model.applyEdit(e))),
    socket.on('message:deleted', (e) => {
      state.removeAnnouncement(e.messageId)
      sync.onGaps(e.conversationId, model.applyDelete(e))
    }),
    socket.on('message:pinned', (e) => sync.onGaps(e.conversationId, model.applyPin(e))),
    socket.on('announcement:dismissed', (e) => state.removeAnnouncement(e.messageId)),
    socket.on('event:updated', (e) =>
      state.setEventSettings({
        announcementOnly: e.announcementOnly === true,
        moderatorsAnnounce: e.moderatorsAnnounce === true,
      }),
    ),
    socket.on('message:reaction', (e) => sync.onGaps(e.conversationId, model.applyReaction(e))),

    socket.on('message:typing', (e) => {
      if (e.userId === meId) return
      if (!e.isTyping) return model.clearTyping(e.conversationId, e.userId)
      const users = state.typing.get(e.conversationId) ?? new Map<string, number>()
      state.typing.set(e.conversationId, users)
      const expiresAt = Date.now() + typingBackstopMs
      const isNew = !users.has(e.userId)
      users.set(e.userId, expiresAt)
      if (isNew) state.changedTyping()
      const timer = setTimeout(() => {
        typingTimers.delete(timer)
        // Only if not refreshed meanwhile.
        if (users.get(e.userId) === expiresAt) model.clearTyping(e.conversationId, e.userId)
      }, typingBackstopMs)
      typingTimers.add(timer)
    }),

    socket.on('conversation:read', (e) => {
      model.moveReads(e.conversationId, [[e.userId, e.seq]])
      // My own read mark, moved by another tab or device.
      if (e.userId === meId) model.markedRead(e.conversationId, e.seq)
    }),
    socket.on('conversation:created', (conversation) => model.upsertConversation(conversation)),
    socket.on('conversation:updated', (conversation) => model.upsertConversation(conversation)),
    socket.on('conversation:message-received', (e) => {
      if (e.announcement) void refreshAnnouncements().catch(() => undefined)
      if (!state.summaries.has(e.conversationId)) return void sync.checkHeads().catch(() => undefined)
      model.received(e)
    }),

    socket.on('user:status', (e) => model.setPresence([[e.userId, e.status]])),
  ]

  return () => {
    for (const off of unbind) off()
    for (const timer of typingTimers) clearTimeout(timer)
  }
}
