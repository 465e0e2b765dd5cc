import { describe } from 'vitest'
import { LIMITS } from './limits.ts'
import * as rest from './rest.ts'
import {
  conversation,
  describeSchemas,
  directoryUser,
  event,
  ids,
  invitation,
  message,
  NOW,
  omit,
  summary,
  user,
  uuid,
  uuids,
} from './test-utils.ts'

const code = 'Zm9vYmFyYmF6cXV4cXV1eA'
const conversationId = ids.conversation
const groupBody = { kind: 'group', title: 'Volunteers', userIds: [ids.other] }
const directBody = { kind: 'direct', userId: ids.other }
const sendBody = { clientMessageId: uuid(42), content: 'Hello' }
const change = { conversationId, lastSeq: 3, lastRev: 5, messages: [message], hasMore: false }
const preview = { event: { id: ids.event, name: 'Gala' }, role: 'guest', displayName: null }

describe('rest schemas', () => {
  describeSchemas(rest, {
    IdParams: {
      valid: [{ id: ids.event }],
      invalid: [
        ['non-uuid id', { id: '1' }],
        ['missing id', {}],
        ['numeric id', { id: 1 }],
      ],
    },
    EventParams: {
      valid: [{ eventId: ids.event }],
      invalid: [
        ['non-uuid eventId', { eventId: 'gala' }],
        ['missing eventId', {}],
        ['null', null],
      ],
    },
    AnnouncementParams: {
      valid: [{ mid: ids.message }],
      invalid: [
        ['missing mid', {}],
        ['non-uuid mid', { mid: 'm1' }],
        ['numeric mid', { mid: 5 }],
      ],
    },
    EventItemParams: {
      valid: [{ eventId: ids.event, id: ids.invitation }],
      invalid: [
        ['missing id', { eventId: ids.event }],
        ['non-uuid id', { eventId: ids.event, id: 'inv' }],
        ['missing eventId', { id: ids.invitation }],
      ],
    },
    CreateEventBody: {
      valid: [{ name: 'Gala' }, { name: 'Gala', startsAt: NOW, endsAt: '2024-06-02T02:00:00+02:00' }],
      invalid: [
        ['missing name', {}],
        ['whitespace-only name', { name: '  ' }],
        ['name too long', { name: 'x'.repeat(LIMITS.eventNameChars + 1) }],
        ['bad startsAt', { name: 'Gala', startsAt: 'tomorrow' }],
        ['impossible endsAt', { name: 'Gala', endsAt: '2024-04-31T00:00:00Z' }],
      ],
    },
    CreateEventResponse: {
      valid: [{ event, lobby: { ...conversation, kind: 'event', title: null, members: [] } }],
      invalid: [
        ['missing lobby', { event }],
        ['invalid event', { event: { ...event, id: 'x' }, lobby: conversation }],
        ['invalid lobby', { event, lobby: { ...conversation, kind: 'lobby' } }],
      ],
    },
    EventResponse: {
      valid: [{ event }, { event: { ...event, endsAt: NOW } }],
      invalid: [
        ['missing event', {}],
        ['invalid event', { event: omit(event, 'createdAt') }],
        ['bad endsAt', { event: { ...event, endsAt: 'soon' } }],
      ],
    },
    EventList: {
      valid: [{ events: [] }, { events: [event] }],
      invalid: [
        ['missing events', {}],
        ['invalid event', { events: [omit(event, 'createdAt')] }],
        ['events not an array', { events: event }],
      ],
    },
    CreateInvitationBody: {
      valid: [
        {},
        { role: 'moderator', displayName: 'Host', maxUses: LIMITS.invitationMaxUses, expiresAt: NOW },
      ],
      invalid: [
        ['unknown role', { role: 'admin' }],
        ['zero maxUses', { maxUses: 0 }],
        ['maxUses over the limit', { maxUses: LIMITS.invitationMaxUses + 1 }],
        ['fractional maxUses', { maxUses: 2.5 }],
        ['whitespace-only displayName', { displayName: ' ' }],
        ['displayName too long', { displayName: 'x'.repeat(LIMITS.displayNameChars + 1) }],
        ['bad expiresAt', { expiresAt: '31/12/2024' }],
      ],
    },
    CreateInvitationResponse: {
      valid: [{ invitation, code, url: `https://chat.example/join/${code}` }],
      invalid: [
        ['missing code', { invitation, url: 'https://chat.example/join/x' }],
        ['numeric url', { invitation, code, url: 1 }],
        ['invalid invitation', { invitation: { ...invitation, role: 'x' }, code, url: 'u' }],
      ],
    },
    InvitationList: {
      valid: [{ invitations: [] }, { invitations: [invitation] }],
      invalid: [
        ['missing invitations', {}],
        ['invalid invitation', { invitations: [{ ...invitation, uses: -1 }] }],
        ['invitations not an array', { invitations: invitation }],
      ],
    },
    InvitationResponse: {
      valid: [{ invitation }, { invitation, endedSessions: 2 }],
      invalid: [
        ['missing invitation', {}],
        ['negative endedSessions', { invitation, endedSessions: -1 }],
        ['invitation missing id', { invitation: omit(invitation, 'id') }],
        ['null invitation', { invitation: null }],
      ],
    },
    RevokeInvitationQuery: {
      valid: [{}, { endSessions: true }, { endSessions: false }],
      invalid: [
        ['endSessions a word', { endSessions: 'yes' }],
        ['endSessions a number', { endSessions: 1 }],
        ['endSessions null', { endSessions: null }],
      ],
    },
    InvitationCode: {
      valid: [code, 'a'.repeat(16), 'a'.repeat(128)],
      invalid: [
        ['too short', 'a'.repeat(15)],
        ['too long', 'a'.repeat(129)],
        ['not base64url', `${code}+/=`],
        ['a url', `https://chat.example/join/${code}`],
        ['a number', 1234567890123456],
      ],
    },
    JoinBody: {
      valid: [{ code, displayName: 'Ada' }],
      invalid: [
        ['missing displayName', { code }],
        ['whitespace-only displayName', { code, displayName: '   ' }],
        ['displayName too long', { code, displayName: 'x'.repeat(LIMITS.displayNameChars + 1) }],
        ['short code', { code: 'abc', displayName: 'Ada' }],
        ['missing code', { displayName: 'Ada' }],
      ],
    },
    JoinResponse: {
      valid: [{ token: 'opaque-token', user, event }],
      invalid: [
        ['missing token', { user, event }],
        ['invalid user', { token: 't', user: { ...user, role: 'root' }, event }],
        ['missing event', { token: 't', user }],
      ],
    },
    InvitationPreviewBody: {
      valid: [{ code }],
      invalid: [
        ['missing code', {}],
        ['short code', { code: 'abc' }],
        ['numeric code', { code: 5 }],
      ],
    },
    InvitationPreview: {
      valid: [preview, { ...preview, role: 'organizer', displayName: 'Host' }],
      invalid: [
        ['missing displayName', omit(preview, 'displayName')],
        ['unknown role', { ...preview, role: 'vip' }],
        ['event without name', { ...preview, event: { id: ids.event } }],
        ['non-uuid event id', { ...preview, event: { id: 'gala', name: 'Gala' } }],
      ],
    },
    MeResponse: {
      valid: [{ user, event }],
      invalid: [
        ['missing user', { event }],
        ['invalid event', { user, event: { ...event, createdAt: 'x' } }],
        ['null', null],
      ],
    },
    ConversationParams: {
      valid: [{ id: conversationId }],
      invalid: [
        ['non-uuid id', { id: 'general' }],
        ['missing id', {}],
        ['null id', { id: null }],
      ],
    },
    MessageParams: {
      valid: [{ id: conversationId, mid: ids.message }],
      invalid: [
        ['seed-style mid', { id: conversationId, mid: 'msg_1717243200000' }],
        ['missing mid', { id: conversationId }],
        ['missing id', { mid: ids.message }],
      ],
    },
    ConversationList: {
      valid: [{ conversations: [] }, { conversations: [summary, { ...summary, lastMessage: null }] }],
      invalid: [
        ['missing conversations', {}],
        ['summary without unreadCount', { conversations: [omit(summary, 'unreadCount')] }],
        ['plain object', { conversations: summary }],
      ],
    },
    CreateDirectBody: {
      valid: [directBody],
      invalid: [
        ['missing userId', { kind: 'direct' }],
        ['non-uuid userId', { kind: 'direct', userId: 'bob' }],
        ['wrong kind', { ...directBody, kind: 'group' }],
      ],
    },
    CreateGroupBody: {
      valid: [
        groupBody,
        { ...groupBody, userIds: [] },
        { ...groupBody, userIds: uuids(LIMITS.groupMembers) },
      ],
      invalid: [
        ['missing title', omit(groupBody, 'title')],
        ['whitespace-only title', { ...groupBody, title: ' \t' }],
        ['title too long', { ...groupBody, title: 'x'.repeat(LIMITS.titleChars + 1) }],
        ['too many userIds', { ...groupBody, userIds: uuids(LIMITS.groupMembers + 1) }],
        ['non-uuid userIds', { ...groupBody, userIds: ['bob'] }],
        ['missing userIds', omit(groupBody, 'userIds')],
      ],
    },
    CreateConversationBody: {
      valid: [directBody, groupBody],
      invalid: [
        ['unknown kind', { kind: 'event' }],
        ['missing kind', { userId: ids.other }],
        ['direct without userId', { kind: 'direct', userIds: [ids.other] }],
        ['group without title', { kind: 'group', userIds: [ids.other] }],
        ['group over the limit', { ...groupBody, userIds: uuids(LIMITS.groupMembers + 1) }],
      ],
    },
    SendMessageBody: {
      valid: [
        sendBody,
        { ...sendBody, replyToId: ids.message },
        { clientMessageId: 'msg_1717243200000', content: 'x'.repeat(LIMITS.messageChars) },
      ],
      invalid: [
        ['missing clientMessageId', { content: 'Hello' }],
        ['whitespace-only content', { ...sendBody, content: '\n \n' }],
        ['content over the limit', { ...sendBody, content: 'x'.repeat(LIMITS.messageChars + 1) }],
        ['non-uuid replyToId', { ...sendBody, replyToId: 'r' }],
        ['numeric content', { ...sendBody, content: 1 }],
      ],
    },
    HistoryQuery: {
      valid: [
        {},
        { beforeSeq: 100, limit: LIMITS.pageMax },
        { sinceRev: 0 },
        { limit: 1 },
        { afterSeq: 0, limit: 20 },
        { aroundSeq: 1 },
        { aroundId: ids.message, limit: 50 },
      ],
      invalid: [
        ['limit 0', { limit: 0 }],
        ['limit over the page size', { limit: LIMITS.pageMax + 1 }],
        ['negative beforeSeq', { beforeSeq: -1 }],
        ['fractional afterSeq', { afterSeq: 2.5 }],
        ['aroundSeq over the int range', { aroundSeq: 2_147_483_648 }],
        ['non-uuid aroundId', { aroundId: 'm1' }],
        ['fractional sinceRev', { sinceRev: 1.5 }],
        ['non-numeric limit', { limit: 'ten' }],
      ],
    },
    MessagePage: {
      valid: [
        { messages: [], hasMore: false },
        { messages: [message], hasMore: true },
        { messages: [message], hasMore: false, hasNewer: true },
      ],
      invalid: [
        ['missing hasMore', { messages: [] }],
        ['string hasMore', { messages: [], hasMore: 'no' }],
        ['string hasNewer', { messages: [], hasMore: false, hasNewer: 'yes' }],
        ['invalid message', { messages: [{ ...message, rev: -1 }], hasMore: false }],
      ],
    },
    EditMessageBody: {
      valid: [{ content: 'fixed' }],
      invalid: [
        ['whitespace-only content', { content: '   ' }],
        ['content over the limit', { content: 'x'.repeat(LIMITS.messageChars + 1) }],
        ['missing content', {}],
        ['the socket field name only', { newContent: 'fixed' }],
      ],
    },
    ReactionBody: {
      valid: [{ emoji: '👍' }, { emoji: '👍🏽', action: 'add' }, { emoji: '🇫🇷', action: 'remove' }],
      invalid: [
        ['text', { emoji: 'a' }],
        ['two emojis', { emoji: '👍👍' }],
        ['an emoticon', { emoji: ':)' }],
        ['empty', { emoji: '' }],
        ['unknown action', { emoji: '👍', action: 'toggle' }],
        ['missing emoji', { action: 'add' }],
      ],
    },
    MarkReadBody: {
      valid: [{ seq: 0 }, { seq: 12 }],
      invalid: [
        ['negative seq', { seq: -1 }],
        ['string seq', { seq: '12' }],
        ['missing seq', {}],
        ['fractional seq', { seq: 2.5 }],
      ],
    },
    MarkReadResponse: {
      valid: [{ conversationId, lastReadSeq: 12, unreadCount: 0, mentionCount: 0 }],
      invalid: [
        ['negative unreadCount', { conversationId, lastReadSeq: 12, unreadCount: -1 }],
        ['missing lastReadSeq', { conversationId, unreadCount: 0 }],
        ['non-uuid conversationId', { conversationId: 'c', lastReadSeq: 1, unreadCount: 0 }],
      ],
    },
    RenameBody: {
      valid: [{ title: 'Crew' }, { title: 'x'.repeat(LIMITS.titleChars) }],
      invalid: [
        ['empty title', { title: '' }],
        ['blank title', { title: ' ' }],
        ['too long title', { title: 'x'.repeat(LIMITS.titleChars + 1) }],
        ['missing title', {}],
        ['numeric title', { title: 5 }],
      ],
    },
    MembersBody: {
      valid: [{ userIds: [ids.other] }, { userIds: uuids(LIMITS.groupMembers) }],
      invalid: [
        ['empty userIds', { userIds: [] }],
        ['too many userIds', { userIds: uuids(LIMITS.groupMembers + 1) }],
        ['non-uuid userIds', { userIds: ['bob'] }],
        ['missing userIds', {}],
      ],
    },
    UserIdList: {
      valid: [ids.user, uuids(LIMITS.pageMax).join(',')],
      invalid: [
        ['empty', ''],
        ['more than a page of ids', uuids(LIMITS.pageMax + 1).join(',')],
        ['a non-uuid among them', `${ids.user},ana`],
        ['a trailing comma', `${ids.user},`],
        ['spaces after commas', `${ids.user}, ${ids.other}`],
      ],
    },
    UsersQuery: {
      valid: [
        {},
        { q: 'ad' },
        { q: 'x'.repeat(LIMITS.displayNameChars), limit: LIMITS.pageMax },
        { ids: `${ids.user},${ids.other}` },
      ],
      invalid: [
        ['q too long', { q: 'x'.repeat(LIMITS.displayNameChars + 1) }],
        ['q with a NUL', { q: 'a\u0000' }],
        ['limit 0', { limit: 0 }],
        ['limit over the page size', { limit: LIMITS.pageMax + 1 }],
        ['numeric q', { q: 5 }],
        ['ids not uuids', { ids: 'a,b' }],
        ['too many ids', { ids: uuids(LIMITS.pageMax + 1).join(',') }],
      ],
    },
    GuestsQuery: {
      valid: [{}, { q: 'ad', limit: LIMITS.pageMax }],
      invalid: [
        ['q too long', { q: 'x'.repeat(LIMITS.displayNameChars + 1) }],
        ['q with a NUL', { q: 'a\u0000' }],
        ['limit 0', { limit: 0 }],
        ['limit over the page size', { limit: LIMITS.pageMax + 1 }],
      ],
    },
    GuestList: {
      valid: [
        { guests: [], total: 0, online: 0 },
        { guests: [directoryUser], total: 3, online: 1 },
      ],
      invalid: [
        ['missing total', { guests: [], online: 0 }],
        ['negative online', { guests: [], total: 0, online: -1 }],
        ['guest without status', { guests: [omit(directoryUser, 'status')], total: 1, online: 0 }],
      ],
    },
    UserList: {
      valid: [{ users: [] }, { users: [directoryUser] }],
      invalid: [
        ['missing users', {}],
        ['user without status', { users: [omit(directoryUser, 'status')] }],
        ['users not an array', { users: directoryUser }],
      ],
    },
    SyncCursor: {
      valid: [{ conversationId, rev: 0 }],
      invalid: [
        ['negative rev', { conversationId, rev: -1 }],
        ['missing rev', { conversationId }],
        ['non-uuid conversationId', { conversationId: 'c', rev: 1 }],
      ],
    },
    SyncBody: {
      valid: [
        { cursors: [] },
        { cursors: uuids(LIMITS.syncCursors).map((id) => ({ conversationId: id, rev: 1 })) },
      ],
      invalid: [
        [
          'too many cursors',
          { cursors: uuids(LIMITS.syncCursors + 1).map((id) => ({ conversationId: id, rev: 1 })) },
        ],
        ['invalid cursor', { cursors: [{ conversationId, rev: 'latest' }] }],
        ['missing cursors', {}],
        ['cursors not an array', { cursors: { conversationId, rev: 1 } }],
      ],
    },
    SyncChange: {
      valid: [change, { ...change, messages: [], hasMore: true }],
      invalid: [
        ['missing hasMore', omit(change, 'hasMore')],
        ['negative lastSeq', { ...change, lastSeq: -1 }],
        ['invalid message', { ...change, messages: [omit(message, 'seq')] }],
        ['fractional lastRev', { ...change, lastRev: 1.5 }],
      ],
    },
    SyncResponse: {
      valid: [{ changes: [] }, { changes: [change] }],
      invalid: [
        ['missing changes', {}],
        ['invalid change', { changes: [{ ...change, conversationId: 'c' }] }],
        ['changes not an array', { changes: change }],
      ],
    },
  })
})
