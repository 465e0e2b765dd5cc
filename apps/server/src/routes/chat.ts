import {
  AnnouncementDismissed,
  AnnouncementList,
  AnnouncementParams,
  Conversation,
  ConversationList,
  ConversationParams,
  CreateConversationBody,
  EditMessageBody,
  HistoryQuery,
  MarkReadBody,
  MarkReadResponse,
  MembersBody,
  Message,
  MessagePage,
  MessageParams,
  PinnedList,
  ReactionBody,
  RenameBody,
  SearchQuery,
  SearchResults,
  SendMessageBody,
  SyncBody,
  SyncResponse,
  UserList,
  UsersQuery,
} from '@secura/shared'
import type { FastifyRequest } from 'fastify'
import { validation } from '../errors.ts'
import { splitIds } from '../modules/directory.ts'
import { currentUser } from '../plugins/auth.ts'
import { errors, type RoutesApp } from './schemas.ts'

const tags = ['chat']
const me = (request: FastifyRequest) => currentUser(request).user

/** /api/chat: the conversations and messages of the signed-in guest. Thin adapters over the services. */
export default async function chatRoutes(app: RoutesApp) {
  const { conversations, messages, search, announcements } = app.services
  app.addHook('preHandler', app.requireUser)

  app.get(
    '/conversations',
    { schema: { tags, response: { 200: ConversationList, ...errors } } },
    async (request) => ({
      conversations: await conversations.list(me(request)),
    }),
  )

  app.post(
    '/conversations',
    {
      schema: {
        tags,
        body: CreateConversationBody,
        response: { 200: Conversation, 201: Conversation, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body
      if (body.kind === 'direct') {
        const { conversation, created } = await conversations.createDirect(me(request), body.userId)
        return reply.status(created ? 201 : 200).send(conversation)
      }
      return reply.status(201).send(await conversations.createGroup(me(request), body.title, body.userIds))
    },
  )

  app.get(
    '/conversations/:id',
    { schema: { tags, params: ConversationParams, response: { 200: Conversation, ...errors } } },
    (request) => conversations.get(me(request), request.params.id),
  )

  app.put(
    '/conversations/:id/title',
    {
      schema: {
        tags,
        params: ConversationParams,
        body: RenameBody,
        response: { 200: Conversation, ...errors },
      },
    },
    (request) => conversations.rename(me(request), request.params.id, request.body.title),
  )

  app.post(
    '/conversations/:id/members',
    {
      schema: {
        tags,
        params: ConversationParams,
        body: MembersBody,
        response: { 200: Conversation, ...errors },
      },
    },
    (request) => conversations.addMembers(me(request), request.params.id, request.body.userIds),
  )

  app.delete(
    '/conversations/:id/members',
    {
      schema: {
        tags,
        params: ConversationParams,
        body: MembersBody,
        response: { 200: Conversation, ...errors },
      },
    },
    (request) => conversations.removeMembers(me(request), request.params.id, request.body.userIds),
  )

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        params: ConversationParams,
        body: SendMessageBody,
        response: { 200: Message, 201: Message, ...errors },
      },
    },
    async (request, reply) => {
      const { message, created } = await messages.send(me(request), {
        ...request.body,
        conversationId: request.params.id,
      })
      if (created) app.metrics.messageAccepted('http')
      return reply.status(created ? 201 : 200).send(message)
    },
  )

  app.get(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        params: ConversationParams,
        querystring: HistoryQuery,
        response: { 200: MessagePage, ...errors },
      },
    },
    (request) => {
      const { beforeSeq, afterSeq, aroundSeq, aroundId, sinceRev, limit } = request.query
      const given = [beforeSeq, afterSeq, aroundSeq, aroundId, sinceRev].filter((v) => v !== undefined)
      if (given.length > 1)
        throw validation('Use one of beforeSeq, afterSeq, aroundSeq, aroundId and sinceRev, not several')
      const id = request.params.id
      if (sinceRev !== undefined) return messages.changes(me(request), id, sinceRev, limit)
      if (afterSeq !== undefined) return messages.historyAfter(me(request), id, afterSeq, limit)
      if (aroundSeq !== undefined) return messages.historyAround(me(request), id, { seq: aroundSeq }, limit)
      if (aroundId !== undefined)
        return messages.historyAround(me(request), id, { messageId: aroundId }, limit)
      return messages.history(me(request), id, beforeSeq, limit)
    },
  )

  app.put(
    '/conversations/:id/messages/:mid',
    { schema: { tags, params: MessageParams, body: EditMessageBody, response: { 200: Message, ...errors } } },
    (request) => messages.edit(me(request), request.params.mid, request.body.content, request.params.id),
  )

  app.delete(
    '/conversations/:id/messages/:mid',
    { schema: { tags, params: MessageParams, response: { 200: Message, ...errors } } },
    (request) => messages.delete(me(request), request.params.mid, request.params.id),
  )

  app.post(
    '/conversations/:id/messages/:mid/reaction',
    { schema: { tags, params: MessageParams, body: ReactionBody, response: { 200: Message, ...errors } } },
    (request) =>
      messages.react(
        me(request),
        request.params.mid,
        request.body.emoji,
        request.body.action,
        request.params.id,
      ),
  )

  app.post(
    '/conversations/:id/mark-as-read',
    {
      schema: {
        tags,
        params: ConversationParams,
        body: MarkReadBody,
        response: { 200: MarkReadResponse, ...errors },
      },
    },
    (request) => conversations.markRead(me(request), request.params.id, request.body.seq),
  )

  app.get(
    '/users',
    { schema: { tags, querystring: UsersQuery, response: { 200: UserList, ...errors } } },
    async (request) => {
      const { q, ids, limit } = request.query
      return { users: await conversations.directory(me(request), { q, ids: splitIds(ids), limit }) }
    },
  )

  app.get(
    '/search',
    { schema: { tags, querystring: SearchQuery, response: { 200: SearchResults, ...errors } } },
    (request) => {
      const { q, ...options } = request.query
      return search.search(me(request), q, options)
    },
  )

  app.post(
    '/sync',
    { schema: { tags, body: SyncBody, response: { 200: SyncResponse, ...errors } } },
    (request) => messages.sync(me(request), request.body.cursors),
  )

  app.put(
    '/conversations/:id/messages/:mid/pin',
    { schema: { tags, params: MessageParams, response: { 200: Message, ...errors } } },
    (request) => announcements.pin(me(request), request.params.mid, request.params.id),
  )

  app.delete(
    '/conversations/:id/messages/:mid/pin',
    { schema: { tags, params: MessageParams, response: { 200: Message, ...errors } } },
    (request) => announcements.unpin(me(request), request.params.mid, request.params.id),
  )

  app.get(
    '/conversations/:id/pins',
    { schema: { tags, params: ConversationParams, response: { 200: PinnedList, ...errors } } },
    (request) => announcements.pins(me(request), request.params.id),
  )

  app.get('/announcements', { schema: { tags, response: { 200: AnnouncementList, ...errors } } }, (request) =>
    announcements.announcements(me(request)),
  )

  app.post(
    '/announcements/:mid/dismiss',
    { schema: { tags, params: AnnouncementParams, response: { 200: AnnouncementDismissed, ...errors } } },
    (request) => announcements.dismiss(me(request), request.params.mid),
  )
}
