import { type Static, Type } from 'typebox'
import { Attachment } from './attachments.ts'
import {
  ConversationKind,
  DateTime,
  Id,
  MemberRole,
  Nullable,
  PresenceStatus,
  Rev,
  Role,
  Seq,
} from './primitives.ts'

/** The wire shapes of protocol §2 and §5. Dates travel as ISO strings. */

export const Event = Type.Object(
  {
    id: Id,
    name: Type.String(),
    startsAt: Nullable(DateTime),
    endsAt: Nullable(DateTime),
    createdAt: DateTime,
    /** The lobby's settings (protocol §3.3); always sent by this server. */
    announcementOnly: Type.Optional(Type.Boolean()),
    moderatorsAnnounce: Type.Optional(Type.Boolean()),
    /** In the operator's event list: who is online now, and messages since midnight (server time, UTC). */
    counts: Type.Optional(
      Type.Object({ online: Type.Integer({ minimum: 0 }), messagesToday: Type.Integer({ minimum: 0 }) }),
    ),
  },
  { $id: 'Event' },
)
export type Event = Static<typeof Event>

export const User = Type.Object(
  {
    id: Id,
    eventId: Id,
    displayName: Type.String(),
    role: Role,
    createdAt: DateTime,
    lastSeenAt: DateTime,
  },
  { $id: 'User' },
)
export type User = Static<typeof User>

/** A user as the event directory shows them: with presence. */
export const DirectoryUser = Type.Object(
  {
    id: Id,
    displayName: Type.String(),
    role: Role,
    status: PresenceStatus,
    lastSeenAt: DateTime,
    /** In the organizers' guest list only: a current mute, and whether the guest was removed. */
    mutedUntil: Type.Optional(Nullable(DateTime)),
    removed: Type.Optional(Type.Boolean()),
  },
  { $id: 'DirectoryUser' },
)
export type DirectoryUser = Static<typeof DirectoryUser>

export const Invitation = Type.Object(
  {
    id: Id,
    eventId: Id,
    role: Role,
    displayName: Nullable(Type.String()),
    maxUses: Type.Integer({ minimum: 1 }),
    uses: Type.Integer({ minimum: 0 }),
    expiresAt: Nullable(DateTime),
    revokedAt: Nullable(DateTime),
    createdAt: DateTime,
    /** In the invitation list: who redeemed it (the first few), by name. */
    redeemedBy: Type.Optional(Type.Array(Type.Object({ id: Id, displayName: Type.String() }))),
  },
  { $id: 'Invitation' },
)
export type Invitation = Static<typeof Invitation>

export const ReactionSummary = Type.Object({ emoji: Type.String(), userIds: Type.Array(Id) })
export type ReactionSummary = Static<typeof ReactionSummary>

/** What a system line records (protocol §2, System lines). */
export const SystemLineType = Type.Union([
  Type.Literal('group-created'),
  Type.Literal('members-added'),
  Type.Literal('member-removed'),
  Type.Literal('member-left'),
  Type.Literal('group-renamed'),
  Type.Literal('guest-removed'),
])
export type SystemLineType = Static<typeof SystemLineType>
/**
 * A system line's structured form: who did it (null: the operator's admin token), to whom, and the group's
 * title when it was created or renamed. Clients word it and resolve the names themselves.
 */
export const SystemLine = Type.Object({
  type: SystemLineType,
  actorId: Nullable(Id),
  targetIds: Type.Array(Id),
  title: Nullable(Type.String()),
})
export type SystemLine = Static<typeof SystemLine>

export const Message = Type.Object(
  {
    id: Id,
    conversationId: Id,
    seq: Seq,
    rev: Rev,
    senderId: Id,
    clientMessageId: Type.String(),
    content: Type.String(),
    replyToId: Nullable(Id),
    /** Creation time, as in the seed. */
    timestamp: DateTime,
    editedAt: Nullable(DateTime),
    deletedAt: Nullable(DateTime),
    deletedBy: Nullable(Id),
    reactions: Type.Array(ReactionSummary),
    /** Files and photos, in the order sent; absent when none (and gone with a deletion). */
    attachments: Type.Optional(Type.Array(Attachment)),
    /** Users the message mentions, as sent (left out when none). */
    mentions: Type.Optional(Type.Array(Id)),
    /** `@here` in the event lobby, by an organizer: a mention of everyone (left out when not). */
    mentionsHere: Type.Optional(Type.Literal(true)),
    /** Present only on a line the server wrote (left out on a user's message): never edited, deleted or reacted to. */
    system: Type.Optional(SystemLine),
    /** An announcement in the lobby (left out when not). */
    announcement: Type.Optional(Type.Literal(true)),
    /** When and by whom it was pinned to its conversation (left out when not pinned). */
    pinnedAt: Type.Optional(DateTime),
    pinnedBy: Type.Optional(Id),
  },
  { $id: 'Message' },
)
export type Message = Static<typeof Message>

export const Member = Type.Object({
  userId: Id,
  displayName: Type.String(),
  role: MemberRole,
  joinedAt: DateTime,
  lastReadSeq: Seq,
})
export type Member = Static<typeof Member>

export const Conversation = Type.Object(
  {
    id: Id,
    eventId: Id,
    kind: ConversationKind,
    title: Nullable(Type.String()),
    /** Null for the event lobby, which the event itself creates. */
    createdById: Nullable(Id),
    createdAt: DateTime,
    lastSeq: Seq,
    lastRev: Rev,
    lastMessageAt: Nullable(DateTime),
    memberCount: Type.Integer({ minimum: 0 }),
    /** Every member of a direct or group conversation; empty for the event lobby, where everyone is. */
    members: Type.Array(Member),
  },
  { $id: 'Conversation' },
)
export type Conversation = Static<typeof Conversation>

/** A conversation as `GET /conversations` lists it: with my read state and the last message. */
export const ConversationSummary = Type.Object(
  {
    ...Conversation.properties,
    lastMessage: Nullable(Message),
    unreadCount: Type.Integer({ minimum: 0 }),
    lastReadSeq: Seq,
    /** Of the unread messages, those that mention me (by id, or `@here` in the lobby). */
    mentionCount: Type.Integer({ minimum: 0 }),
  },
  { $id: 'ConversationSummary' },
)
export type ConversationSummary = Static<typeof ConversationSummary>
