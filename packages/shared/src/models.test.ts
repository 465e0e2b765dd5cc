import { describe } from 'vitest'
import * as models from './models.ts'
import {
  conversation,
  describeSchemas,
  directoryUser,
  event,
  ids,
  invitation,
  member,
  message,
  NOW,
  omit,
  reaction,
  summary,
  user,
} from './test-utils.ts'

describe('models', () => {
  describeSchemas(models, {
    Event: {
      valid: [event, { ...event, startsAt: null, endsAt: NOW }],
      invalid: [
        ['missing name', omit(event, 'name')],
        ['non-uuid id', { ...event, id: 'evt_1' }],
        ['bad createdAt', { ...event, createdAt: 'yesterday' }],
        ['numeric startsAt', { ...event, startsAt: 1717243200000 }],
        ['undefined startsAt (nullable, not optional)', omit(event, 'startsAt')],
        ['null', null],
      ],
    },
    User: {
      valid: [user, { ...user, role: 'organizer' }],
      invalid: [
        ['unknown role', { ...user, role: 'admin' }],
        ['non-uuid eventId', { ...user, eventId: 'evt_1' }],
        ['missing displayName', omit(user, 'displayName')],
        ['impossible lastSeenAt', { ...user, lastSeenAt: '2024-02-30T00:00:00Z' }],
      ],
    },
    DirectoryUser: {
      valid: [directoryUser, { ...directoryUser, status: 'offline' }],
      invalid: [
        ['unknown status', { ...directoryUser, status: 'busy' }],
        ['missing status', omit(directoryUser, 'status')],
        ['numeric id', { ...directoryUser, id: 123 }],
        ['date without time', { ...directoryUser, lastSeenAt: '2024-06-01' }],
      ],
    },
    Invitation: {
      valid: [invitation, { ...invitation, displayName: 'Host', maxUses: 500, uses: 12, expiresAt: NOW }],
      invalid: [
        ['fractional maxUses', { ...invitation, maxUses: 1.5 }],
        ['zero maxUses', { ...invitation, maxUses: 0 }],
        ['negative uses', { ...invitation, uses: -1 }],
        ['string uses', { ...invitation, uses: '0' }],
        ['bad revokedAt', { ...invitation, revokedAt: 'never' }],
        ['member role', { ...invitation, role: 'owner' }],
      ],
    },
    SystemLineType: {
      valid: [
        'group-created',
        'members-added',
        'member-removed',
        'member-left',
        'group-renamed',
        'guest-removed',
      ],
      invalid: [
        ['unknown type', 'group-deleted'],
        ['a number', 1],
        ['null', null],
      ],
    },
    SystemLine: {
      valid: [
        { type: 'group-created', actorId: ids.user, targetIds: [ids.other], title: 'Crew' },
        { type: 'guest-removed', actorId: null, targetIds: [ids.other], title: null },
      ],
      invalid: [
        ['unknown type', { type: 'x', actorId: null, targetIds: [], title: null }],
        ['non-uuid target', { type: 'member-left', actorId: ids.user, targetIds: ['bob'], title: null }],
        ['missing title', { type: 'member-left', actorId: ids.user, targetIds: [] }],
      ],
    },
    ReactionSummary: {
      valid: [reaction, { emoji: '❤️', userIds: [] }],
      invalid: [
        ['non-uuid userIds', { ...reaction, userIds: ['bob'] }],
        ['missing emoji', omit(reaction, 'emoji')],
        ['userIds not an array', { ...reaction, userIds: ids.user }],
        ['numeric emoji', { ...reaction, emoji: 5 }],
      ],
    },
    Message: {
      valid: [
        message,
        { ...message, replyToId: ids.message, editedAt: NOW, reactions: [] },
        { ...message, content: '', deletedAt: NOW, deletedBy: ids.user, reactions: [] },
        {
          ...message,
          content: '',
          system: { type: 'group-renamed', actorId: ids.user, targetIds: [], title: 'New' },
        },
      ],
      invalid: [
        ['negative seq', { ...message, seq: -1 }],
        ['fractional rev', { ...message, rev: 1.5 }],
        ['string seq', { ...message, seq: '1' }],
        ['seq beyond int4', { ...message, seq: 2 ** 31 }],
        ['non-uuid id', { ...message, id: 'msg_1' }],
        ['bad timestamp', { ...message, timestamp: 'now' }],
        ['missing replyToId', omit(message, 'replyToId')],
        ['missing senderId', omit(message, 'senderId')],
        ['numeric editedAt', { ...message, editedAt: 0 }],
        ['bad reaction userId', { ...message, reactions: [{ emoji: '👍', userIds: ['x'] }] }],
      ],
    },
    Member: {
      valid: [member, { ...member, role: 'member', lastReadSeq: 42 }],
      invalid: [
        ['unknown role', { ...member, role: 'admin' }],
        ['negative lastReadSeq', { ...member, lastReadSeq: -1 }],
        ['missing joinedAt', omit(member, 'joinedAt')],
        ['non-uuid userId', { ...member, userId: 'u1' }],
      ],
    },
    Conversation: {
      valid: [
        conversation,
        { ...conversation, kind: 'event', title: null, lastMessageAt: null, memberCount: 500, members: [] },
        { ...conversation, kind: 'direct', title: null },
      ],
      invalid: [
        ['unknown kind', { ...conversation, kind: 'channel' }],
        ['negative memberCount', { ...conversation, memberCount: -1 }],
        ['fractional memberCount', { ...conversation, memberCount: 1.5 }],
        ['negative lastRev', { ...conversation, lastRev: -1 }],
        ['invalid member', { ...conversation, members: [{ ...member, role: 'boss' }] }],
        ['missing title', omit(conversation, 'title')],
        ['non-uuid eventId', { ...conversation, eventId: 'evt' }],
      ],
    },
    ConversationSummary: {
      valid: [summary, { ...summary, lastMessage: null, unreadCount: 3 }],
      invalid: [
        ['negative unreadCount', { ...summary, unreadCount: -1 }],
        ['missing lastReadSeq', omit(summary, 'lastReadSeq')],
        ['invalid lastMessage', { ...summary, lastMessage: { ...message, seq: -1 } }],
        ['missing lastMessage', omit(summary, 'lastMessage')],
        ['invalid base field', { ...summary, kind: 'channel' }],
      ],
    },
  })
})
