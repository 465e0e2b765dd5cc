import type { Conversation, Message } from '@secura/shared'
import { ApiError } from './http.ts'
import type { ChatRuntime } from './runtime.ts'
import { type AckData, type ClientEventName, type ClientPayload, callServer } from './transport.ts'

/**
 * Commands on stored messages and on conversations. Message commands go over the socket with an ack
 * timeout and fall back to HTTP; their result is a change like any other, applied by rev.
 */

export const chatApi = '/api/chat'

export function command<E extends ClientEventName>(
  rt: ChatRuntime,
  event: E,
  payload: ClientPayload<E>,
  viaHttp: () => Promise<AckData<E>>,
): Promise<AckData<E>> {
  return callServer(rt.transport.socket, rt.timing.ackTimeoutMs, event, payload, viaHttp)
}

export async function editMessage(rt: ChatRuntime, messageId: string, content: string): Promise<void> {
  const path = messagePath(target(rt, messageId), messageId)
  const result = await command(rt, 'message:edited', { messageId, newContent: content }, () =>
    rt.transport.http.request<Message>('PUT', path, { content }),
  )
  applied(rt, result)
}

export async function removeMessage(rt: ChatRuntime, messageId: string): Promise<void> {
  const path = messagePath(target(rt, messageId), messageId)
  const result = await command(rt, 'message:deleted', { messageId }, () =>
    rt.transport.http.request<Message>('DELETE', path),
  )
  applied(rt, result)
}

/** Toggles my reaction, sent as an explicit add or remove so that a repeated request changes nothing. */
export async function toggleReaction(rt: ChatRuntime, messageId: string, emoji: string): Promise<void> {
  const message = target(rt, messageId)
  const mine = message.reactions.some((r) => r.emoji === emoji && r.userIds.includes(rt.model.meId))
  const action = mine ? 'remove' : 'add'
  const path = `${messagePath(message, messageId)}/reaction`
  const result = await command(rt, 'message:reaction', { messageId, emoji, action }, () =>
    rt.transport.http.request<Message>('POST', path, { emoji, action }),
  )
  applied(rt, result)
}

/** Creates a conversation or changes its members (HTTP only); the result joins the list at once. */
export async function conversationCall(
  rt: ChatRuntime,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
): Promise<Conversation> {
  const conversation = await rt.transport.http.request<Conversation>(method, `${chatApi}${path}`, body)
  rt.model.upsertConversation(conversation)
  return conversation
}

function target(rt: ChatRuntime, messageId: string): Message {
  const message = rt.model.findMessage(messageId)
  if (!message) throw new ApiError('NOT_FOUND', 404, 'Message not found')
  return message
}

const messagePath = (message: Message, messageId: string) =>
  `${chatApi}/conversations/${message.conversationId}/messages/${messageId}`

function applied(rt: ChatRuntime, message: Message) {
  rt.sync.onGaps(message.conversationId, rt.model.applyMessages(message.conversationId, [message], true))
}
