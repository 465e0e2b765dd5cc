import { type AnnouncementList, type Message, newId, type PinnedList } from '@secura/shared'
import { chatApi, command } from './commands.ts'
import type { ChatRuntime } from './runtime.ts'

/** Announcements and pins (protocol §3.3): commands over the socket with an HTTP fallback, like edits. */

/** On every (re)connect: the announcements not dismissed and the lobby's settings, as they are now. */
export async function refreshAnnouncements(rt: ChatRuntime): Promise<void> {
  const { announcements, settings } = await rt.transport.http.request<AnnouncementList>(
    'GET',
    `${chatApi}/announcements`,
  )
  rt.model.state.setAnnouncements(announcements)
  // The settings too: an `event:updated` sent while this client was away is not sent again.
  rt.model.state.setEventSettings(settings)
}

export async function dismissAnnouncement(rt: ChatRuntime, messageId: string): Promise<void> {
  await command(rt, 'announcement:dismiss', { messageId }, () =>
    rt.transport.http.request('POST', `${chatApi}/announcements/${messageId}/dismiss`),
  )
  rt.model.state.removeAnnouncement(messageId)
}

export async function pinMessage(rt: ChatRuntime, messageId: string, pinned: boolean): Promise<void> {
  const held = rt.model.findMessage(messageId)
  const path = held && `${chatApi}/conversations/${held.conversationId}/messages/${messageId}/pin`
  const result = await command(rt, pinned ? 'message:pin' : 'message:unpin', { messageId }, () => {
    if (!path) throw new Error('Message not loaded')
    return rt.transport.http.request<Message>(pinned ? 'PUT' : 'DELETE', path)
  })
  rt.sync.onGaps(result.conversationId, rt.model.applyMessages(result.conversationId, [result], true))
}

export async function loadPins(rt: ChatRuntime, conversationId: string): Promise<Message[]> {
  const { messages } = await rt.transport.http.request<PinnedList>(
    'GET',
    `${chatApi}/conversations/${conversationId}/pins`,
  )
  return messages
}

/** An announcement goes straight out (socket, then HTTP), not through the outbox: the poster sees at once if it was refused. */
export async function announce(rt: ChatRuntime, conversationId: string, content: string): Promise<Message> {
  // newId, not crypto.randomUUID: the app also runs on plain http from a LAN address.
  const clientMessageId = newId()
  const body = { clientMessageId, content, announcement: true }
  const message = await command(rt, 'message:send', { conversationId, ...body }, () =>
    rt.transport.http.request<Message>('POST', `${chatApi}/conversations/${conversationId}/messages`, body),
  )
  rt.sync.onGaps(conversationId, rt.model.applyMessages(conversationId, [message], true))
  rt.model.state.addAnnouncement(message)
  return message
}
