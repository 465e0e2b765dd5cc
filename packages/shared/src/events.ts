import { type Static, Type } from 'typebox'
import {
  type AnnouncementDismissed,
  EventSettingsInput,
  type MessagePinnedEvent,
  MessageRef,
} from './announcements.ts'
import { AttachmentIds, NoAttachments } from './attachments.ts'
import type { ChatError } from './errors.ts'
import { LIMITS } from './limits.ts'
import { type Conversation, type Event, type Message, ReactionSummary } from './models.ts'
import {
  type ModeratedEvent,
  type ModerationAction,
  MuteInput,
  RemoveInput,
  RestoreInput,
  RoleInput,
} from './moderation.ts'
import {
  Caption,
  ClientMessageId,
  Content,
  DateTime,
  Emoji,
  Id,
  Nullable,
  PresenceStatus,
  ReactionAction,
  Rev,
  Seq,
  Title,
} from './primitives.ts'
import { ConversationMuteInput, type NotificationPreferences, PresenceActivityInput } from './push.ts'
import { ReportInput, type ReportReceipt } from './reports.ts'

/** Socket.io namespace `/chat` (protocol §5): every event name, once. */
export const CHAT_NAMESPACE = '/chat'

export const ChatEvent = {
  MessageSend: 'message:send',
  MessageNew: 'message:new',
  MessageEdited: 'message:edited',
  MessageDeleted: 'message:deleted',
  MessageReaction: 'message:reaction',
  MessageTyping: 'message:typing',
  MessageStopTyping: 'message:stop-typing',
  ConversationJoin: 'conversation:join',
  ConversationLeave: 'conversation:leave',
  ConversationUserJoined: 'conversation:user-joined',
  ConversationUserLeft: 'conversation:user-left',
  ConversationRead: 'conversation:read',
  ConversationCreated: 'conversation:created',
  ConversationUpdated: 'conversation:updated',
  ConversationMessageReceived: 'conversation:message-received',
  UserOnline: 'user:online',
  UserStatus: 'user:status',
  PresenceSubscribe: 'presence:subscribe',
  ModerationMute: 'moderation:mute',
  ModerationRemove: 'moderation:remove',
  ModerationRestore: 'moderation:restore',
  ModerationRole: 'moderation:role',
  UserModerated: 'user:moderated',
  MessageReport: 'message:report',
  ConversationRename: 'conversation:rename',
  EventEnded: 'event:ended',
  ConversationMute: 'conversation:mute',
  NotificationsUpdated: 'notifications:updated',
  PresenceActivity: 'presence:activity',
  MessagePin: 'message:pin',
  MessageUnpin: 'message:unpin',
  MessagePinned: 'message:pinned',
  AnnouncementDismiss: 'announcement:dismiss',
  AnnouncementDismissed: 'announcement:dismissed',
  EventSettings: 'event:settings',
  EventUpdated: 'event:updated',
} as const
export type ChatEventName = (typeof ChatEvent)[keyof typeof ChatEvent]

/**
 * Socket rooms, every name written here only: a conversation's live viewers, a user's sockets, an event's
 * sockets, a session's sockets (so logout reaches them on every instance), a user's presence watchers.
 */
const roomPrefix = {
  conversation: 'conv:',
  user: 'user:',
  event: 'event:',
  session: 'session:',
  presence: 'presence:',
} as const
export type RoomKind = keyof typeof roomPrefix
export const Room = {
  conversation: (id: string) => `${roomPrefix.conversation}${id}`,
  user: (id: string) => `${roomPrefix.user}${id}`,
  event: (id: string) => `${roomPrefix.event}${id}`,
  session: (id: string) => `${roomPrefix.session}${id}`,
  presence: (userId: string) => `${roomPrefix.presence}${userId}`,
  /** Whether `room` is a room of that kind. */
  is: (kind: RoomKind, room: string) => room.startsWith(roomPrefix[kind]),
  /** The id a room of that kind names: `conv:c1` → `c1`. */
  id: (kind: RoomKind, room: string) => room.slice(roomPrefix[kind].length),
} as const

/** Handshake `auth`: the token; the seed also sends userId and eventId, which must match the session. */
export const HandshakeAuth = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 256 })),
  userId: Type.Optional(Type.String()),
  eventId: Type.Optional(Type.String()),
})
export type HandshakeAuth = Static<typeof HandshakeAuth>

// ---- client → server payloads ----

/** Mentions travel as user ids, never parsed from the text: the server checks each can see the conversation. */
export const MentionFields = {
  mentions: Type.Optional(Type.Array(Id, { maxItems: LIMITS.mentions })),
  mentionsHere: Type.Optional(Type.Boolean()),
}
/** A lobby message posted as an announcement (organizers; moderators when the event allows). */
export const AnnouncementField = { announcement: Type.Optional(Type.Boolean()) }
const SendFields = {
  conversationId: Id,
  content: Content,
  replyToId: Type.Optional(Id),
  ...MentionFields,
  ...AnnouncementField,
  ...NoAttachments,
}
/** `{conversationId, content, clientMessageId, replyToId?}`; the seed's `messageId` is accepted as the client id. */
export const MessageSendInput = Type.Union([
  Type.Object({ ...SendFields, clientMessageId: ClientMessageId }),
  Type.Object({ ...SendFields, messageId: ClientMessageId }),
  // Attachments: the text beside them may be empty.
  Type.Object({
    ...SendFields,
    content: Caption,
    clientMessageId: ClientMessageId,
    attachmentIds: AttachmentIds,
  }),
])
export type MessageSendInput = Static<typeof MessageSendInput>
export interface MessageSendCommand {
  conversationId: string
  content: string
  clientMessageId: string
  replyToId?: string | undefined
  attachmentIds?: string[] | undefined
  mentions?: string[] | undefined
  mentionsHere?: boolean | undefined
  announcement?: boolean | undefined
}
export function toSendCommand(input: MessageSendInput): MessageSendCommand {
  const clientMessageId = 'clientMessageId' in input ? input.clientMessageId : input.messageId
  return {
    conversationId: input.conversationId,
    content: input.content,
    clientMessageId,
    replyToId: input.replyToId,
    ...('attachmentIds' in input && { attachmentIds: input.attachmentIds }),
    ...(input.mentions && { mentions: input.mentions }),
    ...(input.mentionsHere && { mentionsHere: input.mentionsHere }),
    ...(input.announcement && { announcement: true }),
  }
}

export const MessageEditInput = Type.Object({ messageId: Id, newContent: Content })
export type MessageEditInput = Static<typeof MessageEditInput>
export const MessageDeleteInput = Type.Object({ messageId: Id })
export type MessageDeleteInput = Static<typeof MessageDeleteInput>
export const MessageReactionInput = Type.Object({
  messageId: Id,
  emoji: Emoji,
  action: Type.Optional(ReactionAction),
})
export type MessageReactionInput = Static<typeof MessageReactionInput>
export const TypingInput = Type.Object({ conversationId: Id, isTyping: Type.Optional(Type.Boolean()) })
export type TypingInput = Static<typeof TypingInput>
export const ConversationRef = Type.Object({ conversationId: Id })
export type ConversationRef = Static<typeof ConversationRef>
export const ReadInput = Type.Object({ conversationId: Id, seq: Seq })
export type ReadInput = Static<typeof ReadInput>
export const UserOnlineInput = Type.Object({ userId: Type.Optional(Type.String()) })
export type UserOnlineInput = Static<typeof UserOnlineInput>
export const PresenceSubscribeInput = Type.Object({
  userIds: Type.Array(Id, { maxItems: LIMITS.presenceSubscribe }),
})
export type PresenceSubscribeInput = Static<typeof PresenceSubscribeInput>

export const RenameInput = Type.Object({ conversationId: Id, title: Title })
export type RenameInput = Static<typeof RenameInput>

// ---- server → client payloads ----

/** The event ended (an organizer's "End now"): the chat is read-only from `endsAt` on (protocol §3.4). */
export const EventEndedEvent = Type.Object({ eventId: Id, endsAt: DateTime })
export type EventEndedEvent = Static<typeof EventEndedEvent>

export const MessageEditedEvent = Type.Object({
  conversationId: Id,
  messageId: Id,
  newContent: Type.String(),
  editedAt: DateTime,
  rev: Rev,
})
export type MessageEditedEvent = Static<typeof MessageEditedEvent>
export const MessageDeletedEvent = Type.Object({
  conversationId: Id,
  messageId: Id,
  /** Null when the operator's admin token deleted it (from the report queue). */
  deletedBy: Nullable(Id),
  deletedAt: DateTime,
  rev: Rev,
})
export type MessageDeletedEvent = Static<typeof MessageDeletedEvent>
export const MessageReactionEvent = Type.Object({
  conversationId: Id,
  messageId: Id,
  userId: Id,
  emoji: Type.String(),
  action: ReactionAction,
  reactions: Type.Array(ReactionSummary),
  rev: Rev,
})
export type MessageReactionEvent = Static<typeof MessageReactionEvent>
export const TypingEvent = Type.Object({
  conversationId: Id,
  userId: Id,
  isTyping: Type.Boolean(),
  timestamp: DateTime,
})
export type TypingEvent = Static<typeof TypingEvent>
export const UserCountEvent = Type.Object({
  conversationId: Id,
  userId: Id,
  userCount: Type.Integer({ minimum: 0 }),
})
export type UserCountEvent = Static<typeof UserCountEvent>
export const ReadEvent = Type.Object({ conversationId: Id, userId: Id, seq: Seq })
export type ReadEvent = Static<typeof ReadEvent>
export const MessageReceivedEvent = Type.Object({
  conversationId: Id,
  messageId: Id,
  seq: Seq,
  senderId: Id,
  preview: Type.String(),
  /** As on the message: so each receiver can count a mention of itself. */
  mentions: Type.Optional(Type.Array(Id)),
  mentionsHere: Type.Optional(Type.Literal(true)),
  /** A lobby announcement: clients not viewing the lobby show it too. */
  announcement: Type.Optional(Type.Literal(true)),
})
export type MessageReceivedEvent = Static<typeof MessageReceivedEvent>
export const UserStatusEvent = Type.Object({
  userId: Id,
  status: PresenceStatus,
  lastSeenAt: DateTime,
  timestamp: DateTime,
})
export type UserStatusEvent = Static<typeof UserStatusEvent>

// ---- acks ----

export const JoinAck = Type.Object({ conversationId: Id, userCount: Type.Integer({ minimum: 0 }) })
export type JoinAck = Static<typeof JoinAck>
export const ReadAck = Type.Object({ conversationId: Id, lastReadSeq: Seq })
export type ReadAck = Static<typeof ReadAck>
export const PresenceSnapshot = Type.Object({ statuses: Type.Array(UserStatusEvent) })
export type PresenceSnapshot = Static<typeof PresenceSnapshot>
/** Characters of message text in `conversation:message-received` previews. */
export const PREVIEW_CHARS = 120

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ChatError }
export type AckCallback<T> = (response: Ack<T>) => void

/** What a client may emit; every event takes an ack callback. */
export interface ClientEvents {
  'message:send': (payload: MessageSendInput, ack: AckCallback<Message>) => void
  'message:edited': (payload: MessageEditInput, ack: AckCallback<Message>) => void
  'message:deleted': (payload: MessageDeleteInput, ack: AckCallback<Message>) => void
  'message:reaction': (payload: MessageReactionInput, ack: AckCallback<Message>) => void
  'message:typing': (payload: TypingInput, ack?: AckCallback<null>) => void
  'message:stop-typing': (payload: ConversationRef, ack?: AckCallback<null>) => void
  'conversation:join': (payload: ConversationRef, ack: AckCallback<JoinAck>) => void
  'conversation:leave': (payload: ConversationRef, ack: AckCallback<JoinAck>) => void
  'conversation:read': (payload: ReadInput, ack: AckCallback<ReadAck>) => void
  'user:online': (payload: UserOnlineInput, ack?: AckCallback<null>) => void
  'presence:subscribe': (payload: PresenceSubscribeInput, ack: AckCallback<PresenceSnapshot>) => void
  'moderation:mute': (payload: MuteInput, ack: AckCallback<ModerationAction>) => void
  'moderation:remove': (payload: RemoveInput, ack: AckCallback<ModerationAction>) => void
  'moderation:restore': (payload: RestoreInput, ack: AckCallback<ModerationAction>) => void
  'moderation:role': (payload: RoleInput, ack: AckCallback<ModerationAction>) => void
  'message:report': (payload: ReportInput, ack: AckCallback<ReportReceipt>) => void
  'conversation:rename': (payload: RenameInput, ack: AckCallback<Conversation>) => void
  'conversation:mute': (payload: ConversationMuteInput, ack: AckCallback<NotificationPreferences>) => void
  'presence:activity': (payload: PresenceActivityInput, ack?: AckCallback<null>) => void
  'message:pin': (payload: MessageRef, ack: AckCallback<Message>) => void
  'message:unpin': (payload: MessageRef, ack: AckCallback<Message>) => void
  'announcement:dismiss': (payload: MessageRef, ack: AckCallback<AnnouncementDismissed>) => void
  'event:settings': (payload: EventSettingsInput, ack: AckCallback<Event>) => void
}

/** What the server emits. */
export interface ServerEvents {
  'message:new': (message: Message) => void
  'message:edited': (event: MessageEditedEvent) => void
  'message:deleted': (event: MessageDeletedEvent) => void
  'message:reaction': (event: MessageReactionEvent) => void
  'message:typing': (event: TypingEvent) => void
  'conversation:user-joined': (event: UserCountEvent) => void
  'conversation:user-left': (event: UserCountEvent) => void
  'conversation:read': (event: ReadEvent) => void
  'conversation:created': (conversation: Conversation) => void
  'conversation:updated': (conversation: Conversation) => void
  'conversation:message-received': (event: MessageReceivedEvent) => void
  'user:status': (event: UserStatusEvent) => void
  'user:moderated': (event: ModeratedEvent) => void
  'event:ended': (event: EventEndedEvent) => void
  'notifications:updated': (preferences: NotificationPreferences) => void
  'message:pinned': (event: MessagePinnedEvent) => void
  'announcement:dismissed': (event: AnnouncementDismissed) => void
  'event:updated': (event: Event) => void
}

/** The schema each client event's payload must match. */
export const ClientEventSchemas = {
  'message:send': MessageSendInput,
  'message:edited': MessageEditInput,
  'message:deleted': MessageDeleteInput,
  'message:reaction': MessageReactionInput,
  'message:typing': TypingInput,
  'message:stop-typing': ConversationRef,
  'conversation:join': ConversationRef,
  'conversation:leave': ConversationRef,
  'conversation:read': ReadInput,
  'user:online': UserOnlineInput,
  'presence:subscribe': PresenceSubscribeInput,
  'moderation:mute': MuteInput,
  'moderation:remove': RemoveInput,
  'moderation:restore': RestoreInput,
  'moderation:role': RoleInput,
  'message:report': ReportInput,
  'conversation:rename': RenameInput,
  'conversation:mute': ConversationMuteInput,
  'presence:activity': PresenceActivityInput,
  'message:pin': MessageRef,
  'message:unpin': MessageRef,
  'announcement:dismiss': MessageRef,
  'event:settings': EventSettingsInput,
} as const satisfies Record<keyof ClientEvents, unknown>
