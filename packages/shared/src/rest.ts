import { type Static, Type } from 'typebox'
import { AttachmentIds, NoAttachments } from './attachments.ts'
import { AnnouncementField, MentionFields } from './events.ts'
import { LIMITS } from './limits.ts'
import {
  Conversation,
  ConversationSummary,
  DirectoryUser,
  Event,
  Invitation,
  Message,
  User,
} from './models.ts'
import {
  Caption,
  ClientMessageId,
  Content,
  DateTime,
  DisplayName,
  Emoji,
  EventName,
  Id,
  ReactionAction,
  Rev,
  Role,
  SearchTerm,
  Seq,
  Title,
} from './primitives.ts'

/** Bodies, queries and responses of the REST API (protocol §3 and §4). */

/**
 * Every route of the REST API, as `METHOD /path`: the list docs/protocol.md must cover and the server must
 * serve, each checked by a test, so that a route added in one place and not the other fails the suite.
 */
export const REST_ROUTES = [
  'POST /api/admin/events',
  'GET /api/admin/events',
  'DELETE /api/admin/events/:id',
  'GET /api/admin/events/:id/storage',
  'POST /api/events/:eventId/invitations',
  'GET /api/events/:eventId/invitations',
  'DELETE /api/events/:eventId/invitations/:id',
  'GET /api/events/:eventId/guests',
  'POST /api/auth/invitation',
  'POST /api/auth/join',
  'GET /api/auth/me',
  'POST /api/auth/logout',
  'GET /api/chat/conversations',
  'POST /api/chat/conversations',
  'GET /api/chat/conversations/:id',
  'POST /api/chat/conversations/:id/members',
  'DELETE /api/chat/conversations/:id/members',
  'POST /api/chat/conversations/:id/messages',
  'GET /api/chat/conversations/:id/messages',
  'PUT /api/chat/conversations/:id/messages/:mid',
  'DELETE /api/chat/conversations/:id/messages/:mid',
  'POST /api/chat/conversations/:id/messages/:mid/reaction',
  'POST /api/chat/conversations/:id/mark-as-read',
  'GET /api/chat/users',
  'POST /api/chat/sync',
  'GET /api/chat/search',
  'POST /api/chat/conversations/:id/attachments',
  'GET /api/attachments/:id/:variant',
  'POST /api/events/:eventId/guests/:id/mute',
  'POST /api/events/:eventId/guests/:id/remove',
  'POST /api/events/:eventId/guests/:id/restore',
  'PUT /api/events/:eventId/guests/:id/role',
  'GET /api/events/:eventId/moderation',
  'POST /api/chat/conversations/:id/messages/:mid/report',
  'GET /api/events/:eventId/reports',
  'POST /api/events/:eventId/reports/:id/resolve',
  'POST /api/events/:eventId/guests/:id/access',
  'POST /api/auth/device',
  'PUT /api/chat/conversations/:id/title',
  'POST /api/events/:eventId/end',
  'GET /api/events/:eventId/export',
  'GET /api/events/:eventId/export/lobby.html',
  'GET /api/push/key',
  'POST /api/push/subscriptions',
  'DELETE /api/push/subscriptions',
  'GET /api/chat/notifications',
  'PUT /api/chat/notifications/quiet-hours',
  'PUT /api/chat/conversations/:id/mute',
  'PUT /api/events/:eventId/settings',
  'PUT /api/chat/conversations/:id/messages/:mid/pin',
  'DELETE /api/chat/conversations/:id/messages/:mid/pin',
  'GET /api/chat/conversations/:id/pins',
  'GET /api/chat/announcements',
  'POST /api/chat/announcements/:mid/dismiss',
] as const
/** `…/announcements/:mid/dismiss`. */
export const AnnouncementParams = Type.Object({ mid: Id })
export type AnnouncementParams = Static<typeof AnnouncementParams>
export type RestRoute = (typeof REST_ROUTES)[number]

// ---- Identity and administration (protocol §3) ----

export const IdParams = Type.Object({ id: Id })
export type IdParams = Static<typeof IdParams>
export const EventParams = Type.Object({ eventId: Id })
export type EventParams = Static<typeof EventParams>
export const EventItemParams = Type.Object({ eventId: Id, id: Id })
export type EventItemParams = Static<typeof EventItemParams>

export const CreateEventBody = Type.Object({
  name: EventName,
  startsAt: Type.Optional(DateTime),
  endsAt: Type.Optional(DateTime),
})
export type CreateEventBody = Static<typeof CreateEventBody>
export const CreateEventResponse = Type.Object({ event: Event, lobby: Conversation })
export type CreateEventResponse = Static<typeof CreateEventResponse>
export const EventList = Type.Object({ events: Type.Array(Event) })
export const EventResponse = Type.Object({ event: Event })
export type EventResponse = Static<typeof EventResponse>
export type EventList = Static<typeof EventList>

export const CreateInvitationBody = Type.Object({
  role: Type.Optional(Role),
  displayName: Type.Optional(DisplayName),
  maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.invitationMaxUses })),
  expiresAt: Type.Optional(DateTime),
})
export type CreateInvitationBody = Static<typeof CreateInvitationBody>
export const CreateInvitationResponse = Type.Object({
  invitation: Invitation,
  /** The secret the QR code carries; shown once, stored only hashed. */
  code: Type.String(),
  url: Type.String(),
  /** The link points at localhost or 127.0.0.1 (PUBLIC_URL): it opens on no phone; the console warns. */
  publicUrlIsLoopback: Type.Optional(Type.Boolean()),
})
export type CreateInvitationResponse = Static<typeof CreateInvitationResponse>
export const InvitationList = Type.Object({ invitations: Type.Array(Invitation) })
export type InvitationList = Static<typeof InvitationList>
export const InvitationResponse = Type.Object({
  invitation: Invitation,
  /** With `?endSessions=true`: how many sessions opened with the invitation were ended. */
  endedSessions: Type.Optional(Type.Integer({ minimum: 0 })),
})
/** `DELETE …/invitations/:id?endSessions=true` also ends the sessions opened with it, closing their sockets. */
export const RevokeInvitationQuery = Type.Object({ endSessions: Type.Optional(Type.Boolean()) })
export type RevokeInvitationQuery = Static<typeof RevokeInvitationQuery>

export const InvitationCode = Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })
export const JoinBody = Type.Object({ code: InvitationCode, displayName: DisplayName })
export type JoinBody = Static<typeof JoinBody>
export const JoinResponse = Type.Object({ token: Type.String(), user: User, event: Event })
export type JoinResponse = Static<typeof JoinResponse>
/** What the join page shows before the guest picks a name. */
export const InvitationPreviewBody = Type.Object({ code: InvitationCode })
export const InvitationPreview = Type.Object({
  event: Type.Object({ id: Id, name: Type.String() }),
  role: Role,
  displayName: Type.Union([Type.String(), Type.Null()]),
})
export type InvitationPreview = Static<typeof InvitationPreview>
export const MeResponse = Type.Object({ user: User, event: Event })
export type MeResponse = Static<typeof MeResponse>

// ---- Chat (protocol §4), all under /api/chat ----

export const ConversationParams = Type.Object({ id: Id })
export type ConversationParams = Static<typeof ConversationParams>
export const MessageParams = Type.Object({ id: Id, mid: Id })
export type MessageParams = Static<typeof MessageParams>

export const ConversationList = Type.Object({ conversations: Type.Array(ConversationSummary) })
export type ConversationList = Static<typeof ConversationList>

export const CreateDirectBody = Type.Object({ kind: Type.Literal('direct'), userId: Id })
export const CreateGroupBody = Type.Object({
  kind: Type.Literal('group'),
  title: Title,
  userIds: Type.Array(Id, { maxItems: LIMITS.groupMembers }),
})
export const CreateConversationBody = Type.Union([CreateDirectBody, CreateGroupBody])
export type CreateConversationBody = Static<typeof CreateConversationBody>

export const SendMessageBody = Type.Union([
  Type.Object({
    clientMessageId: ClientMessageId,
    content: Content,
    replyToId: Type.Optional(Id),
    ...MentionFields,
    ...AnnouncementField,
    ...NoAttachments,
  }),
  // Attachments: the text beside them may be empty.
  Type.Object({
    clientMessageId: ClientMessageId,
    content: Caption,
    replyToId: Type.Optional(Id),
    ...MentionFields,
    ...AnnouncementField,
    attachmentIds: AttachmentIds,
  }),
])
export type SendMessageBody = Static<typeof SendMessageBody>

/**
 * One of: `?beforeSeq=` pages history newest first; `?afterSeq=` pages forward; `?aroundSeq=` / `?aroundId=`
 * open history at a message, with messages on both sides; `?sinceRev=` returns every message changed after
 * that rev. None: the latest page.
 */
export const HistoryQuery = Type.Object({
  beforeSeq: Type.Optional(Seq),
  afterSeq: Type.Optional(Seq),
  aroundSeq: Type.Optional(Seq),
  aroundId: Type.Optional(Id),
  sinceRev: Type.Optional(Rev),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageMax })),
})
export type HistoryQuery = Static<typeof HistoryQuery>
/**
 * `hasMore`: there is more in the direction paged (older for history and around, newer for afterSeq, later
 * revs for sinceRev). `hasNewer`, on afterSeq and around pages: messages after the last one exist.
 */
export const MessagePage = Type.Object({
  messages: Type.Array(Message),
  hasMore: Type.Boolean(),
  hasNewer: Type.Optional(Type.Boolean()),
})
export type MessagePage = Static<typeof MessagePage>

export const EditMessageBody = Type.Object({ content: Content })
export type EditMessageBody = Static<typeof EditMessageBody>
export const ReactionBody = Type.Object({ emoji: Emoji, action: Type.Optional(ReactionAction) })
export type ReactionBody = Static<typeof ReactionBody>
export const MarkReadBody = Type.Object({ seq: Seq })
export type MarkReadBody = Static<typeof MarkReadBody>
export const MarkReadResponse = Type.Object({
  conversationId: Id,
  lastReadSeq: Seq,
  unreadCount: Type.Integer({ minimum: 0 }),
  mentionCount: Type.Integer({ minimum: 0 }),
})
export type MarkReadResponse = Static<typeof MarkReadResponse>

export const RenameBody = Type.Object({ title: Title })
export type RenameBody = Static<typeof RenameBody>

export const MembersBody = Type.Object({
  userIds: Type.Array(Id, { minItems: 1, maxItems: LIMITS.groupMembers }),
})
export type MembersBody = Static<typeof MembersBody>

const uuidPattern = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
/** Comma-separated user ids, at most a page of them: `?ids=a,b,c`. */
export const UserIdList = Type.String({
  pattern: `^${uuidPattern}(?:,${uuidPattern}){0,${LIMITS.pageMax - 1}}$`,
  description: `Comma-separated user ids, 1–${LIMITS.pageMax}`,
})
/**
 * The event's directory: by name (`q`, first `limit` by name), or exactly the users named by `ids` (senders
 * the client has no name for; ids of other events are left out, never an error).
 */
export const UsersQuery = Type.Object({
  q: Type.Optional(SearchTerm),
  ids: Type.Optional(UserIdList),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageMax })),
})
export type UsersQuery = Static<typeof UsersQuery>
export const UserList = Type.Object({ users: Type.Array(DirectoryUser) })
export type UserList = Static<typeof UserList>

/** The organizer console's guest list (`GET /api/events/:eventId/guests`): by name, with presence. */
export const GuestsQuery = Type.Object({
  q: Type.Optional(SearchTerm),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageMax })),
})
export type GuestsQuery = Static<typeof GuestsQuery>
export const GuestList = Type.Object({
  guests: Type.Array(DirectoryUser),
  /** Everyone who joined the event, whatever the filter and limit. */
  total: Type.Integer({ minimum: 0 }),
  /** How many of them are online now. */
  online: Type.Integer({ minimum: 0 }),
})
export type GuestList = Static<typeof GuestList>

export const SyncCursor = Type.Object({ conversationId: Id, rev: Rev })
export const SyncBody = Type.Object({ cursors: Type.Array(SyncCursor, { maxItems: LIMITS.syncCursors }) })
export type SyncBody = Static<typeof SyncBody>
export const SyncChange = Type.Object({
  conversationId: Id,
  lastSeq: Seq,
  lastRev: Rev,
  messages: Type.Array(Message),
  /** True when more changes remain after the last message: ask again from its rev. */
  hasMore: Type.Boolean(),
})
export const SyncResponse = Type.Object({ changes: Type.Array(SyncChange) })
export type SyncResponse = Static<typeof SyncResponse>
