import { describe, expect, it } from 'vitest'
import * as events from './events.ts'
import {
  CHAT_NAMESPACE,
  ChatEvent,
  ClientEventSchemas,
  type MessageSendInput,
  Room,
  type ServerEvents,
  toSendCommand,
} from './events.ts'
import { LIMITS } from './limits.ts'
import { describeSchemas, ids, NOW, omit, reaction, uuid, uuids } from './test-utils.ts'
import { compile } from './validate.ts'

const conversationId = ids.conversation
const messageId = ids.message
const send = { conversationId, content: 'Hello', clientMessageId: uuid(42) }
const seedSend = { conversationId, content: 'Bonjour', messageId: `msg_${Date.now()}` }
const edited = { conversationId, messageId, newContent: 'fixed', editedAt: NOW, rev: 7 }
const deleted = { conversationId, messageId, deletedBy: ids.user, deletedAt: NOW, rev: 8 }
const reacted = {
  conversationId,
  messageId,
  userId: ids.user,
  emoji: '👍',
  action: 'add',
  reactions: [reaction],
  rev: 9,
}
const typing = { conversationId, userId: ids.user, isTyping: true, timestamp: NOW }
const userCount = { conversationId, userId: ids.user, userCount: 2 }
const received = { conversationId, messageId, seq: 3, senderId: ids.user, preview: 'Hello' }
const status = { userId: ids.other, status: 'online', lastSeenAt: NOW, timestamp: NOW }

describe('events schemas', () => {
  describeSchemas(events, {
    HandshakeAuth: {
      valid: [{}, { token: 'abc' }, { token: 'abc', userId: ids.user, eventId: ids.event }],
      invalid: [
        ['numeric token', { token: 123 }],
        ['token over 256 chars', { token: 'x'.repeat(257) }],
        ['numeric userId', { token: 'abc', userId: 42 }],
        ['object eventId', { token: 'abc', eventId: {} }],
        ['null', null],
        ['a bare string', 'token'],
      ],
    },
    MessageSendInput: {
      valid: [
        send,
        { ...send, replyToId: messageId },
        seedSend,
        { ...seedSend, timestamp: new Date() },
        { ...send, content: 'x'.repeat(LIMITS.messageChars) },
        { ...send, content: ` \n${'x'.repeat(LIMITS.messageChars)}\n` },
      ],
      invalid: [
        ['missing content', omit(send, 'content')],
        ['missing both client ids', omit(send, 'clientMessageId')],
        ['missing conversationId', omit(seedSend, 'conversationId')],
        ['whitespace-only content', { ...send, content: ' \n\t ' }],
        ['empty content', { ...send, content: '' }],
        ['content over the limit', { ...send, content: 'x'.repeat(LIMITS.messageChars + 1) }],
        ['numeric content', { ...send, content: 42 }],
        ['non-uuid conversationId', { ...send, conversationId: 'general' }],
        ['clientMessageId with spaces', { ...send, clientMessageId: 'has space' }],
        ['clientMessageId over 64 chars', { ...send, clientMessageId: 'a'.repeat(65) }],
        ['numeric messageId', { ...seedSend, messageId: 123 }],
        ['non-uuid replyToId', { ...send, replyToId: 'msg_1' }],
        ['null', null],
      ],
    },
    MessageEditInput: {
      valid: [{ messageId, newContent: 'fixed' }],
      invalid: [
        ['whitespace-only newContent', { messageId, newContent: '\n\t ' }],
        ['newContent over the limit', { messageId, newContent: 'x'.repeat(LIMITS.messageChars + 1) }],
        ['non-uuid messageId', { messageId: 'msg_123', newContent: 'x' }],
        ['missing newContent', { messageId }],
        ['null newContent', { messageId, newContent: null }],
      ],
    },
    MessageDeleteInput: {
      valid: [{ messageId }],
      invalid: [
        ['empty object', {}],
        ['non-uuid messageId', { messageId: 'x' }],
        ['numeric messageId', { messageId: 5 }],
        ['null', null],
      ],
    },
    MessageReactionInput: {
      valid: [
        { messageId, emoji: '👍' },
        { messageId, emoji: '❤️', action: 'add' },
        { messageId, emoji: '👨‍👩‍👧', action: 'remove' },
        { messageId, userId: ids.user, emoji: '🇫🇷' },
      ],
      invalid: [
        ['a letter', { messageId, emoji: 'a' }],
        ['two emojis', { messageId, emoji: '👍👍' }],
        ['an emoticon', { messageId, emoji: ':)' }],
        ['empty emoji', { messageId, emoji: '' }],
        ['emoji with text', { messageId, emoji: '👍 nice' }],
        ['unknown action', { messageId, emoji: '👍', action: 'toggle' }],
        ['non-uuid messageId', { messageId: 'm1', emoji: '👍' }],
        ['missing emoji', { messageId }],
      ],
    },
    TypingInput: {
      valid: [{ conversationId }, { conversationId, isTyping: false }],
      invalid: [
        ['string isTyping', { conversationId, isTyping: 'yes' }],
        ['missing conversationId', { isTyping: true }],
        ['numeric conversationId', { conversationId: 1 }],
        ['null', null],
      ],
    },
    ConversationRef: {
      valid: [{ conversationId }],
      invalid: [
        ['empty object', {}],
        ['non-uuid conversationId', { conversationId: 'general' }],
        ['null conversationId', { conversationId: null }],
        ['an array', [conversationId]],
      ],
    },
    RenameInput: {
      valid: [{ conversationId, title: 'Crew' }],
      invalid: [
        ['empty title', { conversationId, title: '' }],
        ['blank title', { conversationId, title: '   ' }],
        ['too long title', { conversationId, title: 'x'.repeat(LIMITS.titleChars + 1) }],
        ['missing title', { conversationId }],
        ['non-uuid conversationId', { conversationId: 'g', title: 'Crew' }],
      ],
    },
    EventEndedEvent: {
      valid: [{ eventId: ids.event, endsAt: NOW }],
      invalid: [
        ['missing endsAt', { eventId: ids.event }],
        ['bad endsAt', { eventId: ids.event, endsAt: 'now' }],
        ['non-uuid eventId', { eventId: 'e', endsAt: NOW }],
      ],
    },
    ReadInput: {
      valid: [
        { conversationId, seq: 0 },
        { conversationId, seq: 42 },
      ],
      invalid: [
        ['negative seq', { conversationId, seq: -1 }],
        ['fractional seq', { conversationId, seq: 1.5 }],
        ['string seq', { conversationId, seq: '3' }],
        ['seq beyond int4', { conversationId, seq: 2 ** 31 }],
        ['missing seq', { conversationId }],
      ],
    },
    UserOnlineInput: {
      valid: [{}, { userId: ids.user }],
      invalid: [
        ['numeric userId', { userId: 42 }],
        ['null userId', { userId: null }],
        ['null', null],
        ['a bare string', 'online'],
      ],
    },
    PresenceSubscribeInput: {
      valid: [{ userIds: [] }, { userIds: uuids(LIMITS.presenceSubscribe) }],
      invalid: [
        ['over the limit', { userIds: uuids(LIMITS.presenceSubscribe + 1) }],
        ['non-uuid entries', { userIds: ['bob'] }],
        ['missing userIds', {}],
        ['userIds not an array', { userIds: ids.user }],
      ],
    },
    MessageEditedEvent: {
      valid: [edited],
      invalid: [
        ['missing rev', omit(edited, 'rev')],
        ['negative rev', { ...edited, rev: -1 }],
        ['bad editedAt', { ...edited, editedAt: '2024-06-01 12:00' }],
        ['non-uuid messageId', { ...edited, messageId: 'msg_1' }],
        ['numeric newContent', { ...edited, newContent: 5 }],
      ],
    },
    MessageDeletedEvent: {
      valid: [deleted],
      invalid: [
        ['missing deletedBy', omit(deleted, 'deletedBy')],
        ['bad deletedAt', { ...deleted, deletedAt: 'now' }],
        ['fractional rev', { ...deleted, rev: 1.5 }],
        ['missing conversationId', omit(deleted, 'conversationId')],
      ],
    },
    MessageReactionEvent: {
      valid: [reacted, { ...reacted, action: 'remove', reactions: [] }],
      invalid: [
        ['unknown action', { ...reacted, action: 'toggle' }],
        ['reactions not an array', { ...reacted, reactions: reaction }],
        ['reaction without userIds', { ...reacted, reactions: [{ emoji: '👍' }] }],
        ['non-uuid userId', { ...reacted, userId: 'u' }],
        ['missing rev', omit(reacted, 'rev')],
      ],
    },
    TypingEvent: {
      valid: [typing, { ...typing, isTyping: false }],
      invalid: [
        ['missing isTyping', omit(typing, 'isTyping')],
        ['string isTyping', { ...typing, isTyping: 'true' }],
        ['numeric timestamp', { ...typing, timestamp: Date.now() }],
        ['non-uuid userId', { ...typing, userId: 'me' }],
      ],
    },
    UserCountEvent: {
      valid: [userCount, { ...userCount, userCount: 0 }],
      invalid: [
        ['fractional userCount', { ...userCount, userCount: 1.5 }],
        ['string userCount', { ...userCount, userCount: '2' }],
        ['negative userCount', { ...userCount, userCount: -1 }],
        ['missing userId', omit(userCount, 'userId')],
      ],
    },
    ReadEvent: {
      valid: [{ conversationId, userId: ids.user, seq: 5 }],
      invalid: [
        ['negative seq', { conversationId, userId: ids.user, seq: -1 }],
        ['missing userId', { conversationId, seq: 5 }],
        ['null seq', { conversationId, userId: ids.user, seq: null }],
      ],
    },
    MessageReceivedEvent: {
      valid: [received, { ...received, preview: '' }],
      invalid: [
        ['missing seq', omit(received, 'seq')],
        ['numeric preview', { ...received, preview: 5 }],
        ['non-uuid senderId', { ...received, senderId: 'bob' }],
        ['missing messageId', omit(received, 'messageId')],
      ],
    },
    UserStatusEvent: {
      valid: [status, { ...status, status: 'away' }, { ...status, status: 'offline' }],
      invalid: [
        ['unknown status', { ...status, status: 'busy' }],
        ['missing lastSeenAt', omit(status, 'lastSeenAt')],
        ['bad timestamp', { ...status, timestamp: 'x' }],
        ['non-uuid userId', { ...status, userId: 'bob' }],
      ],
    },
    JoinAck: {
      valid: [
        { conversationId, userCount: 1 },
        { conversationId, userCount: 0 },
      ],
      invalid: [
        ['missing userCount', { conversationId }],
        ['negative userCount', { conversationId, userCount: -1 }],
        ['string userCount', { conversationId, userCount: 'one' }],
        ['non-uuid conversationId', { conversationId: 'c', userCount: 1 }],
      ],
    },
    ReadAck: {
      valid: [{ conversationId, lastReadSeq: 4 }],
      invalid: [
        ['negative lastReadSeq', { conversationId, lastReadSeq: -1 }],
        ['missing lastReadSeq', { conversationId }],
        ['non-uuid conversationId', { conversationId: 'c', lastReadSeq: 4 }],
      ],
    },
    PresenceSnapshot: {
      valid: [{ statuses: [] }, { statuses: [status] }],
      invalid: [
        ['invalid status entry', { statuses: [{ ...status, status: 'busy' }] }],
        ['missing statuses', {}],
        ['statuses not an array', { statuses: status }],
      ],
    },
  })
})

/** Every event name of protocol §5, C→S and S→C. */
const PROTOCOL_EVENTS = [
  'message:send',
  'message:new',
  'message:edited',
  'message:deleted',
  'message:reaction',
  'message:typing',
  'message:stop-typing',
  'conversation:join',
  'conversation:leave',
  'conversation:user-joined',
  'conversation:user-left',
  'conversation:read',
  'conversation:created',
  'conversation:updated',
  'conversation:message-received',
  'user:online',
  'user:status',
  'presence:subscribe',
  'moderation:mute',
  'moderation:remove',
  'moderation:restore',
  'moderation:role',
  'user:moderated',
  'message:report',
  'conversation:rename',
  'event:ended',
  'conversation:mute',
  'notifications:updated',
  'presence:activity',
  'message:pin',
  'message:unpin',
  'message:pinned',
  'announcement:dismiss',
  'announcement:dismissed',
  'event:settings',
  'event:updated',
]
const PROTOCOL_CLIENT_EVENTS = [
  'message:send',
  'message:edited',
  'message:deleted',
  'message:reaction',
  'message:typing',
  'message:stop-typing',
  'conversation:join',
  'conversation:leave',
  'conversation:read',
  'user:online',
  'presence:subscribe',
  'moderation:mute',
  'moderation:remove',
  'moderation:restore',
  'moderation:role',
  'message:report',
  'conversation:rename',
  'conversation:mute',
  'presence:activity',
  'message:pin',
  'message:unpin',
  'announcement:dismiss',
  'event:settings',
]
// Type-level: adding or removing a server event without updating this list fails `tsc`.
const SERVER_EVENTS = {
  'message:new': true,
  'message:edited': true,
  'message:deleted': true,
  'message:reaction': true,
  'message:typing': true,
  'conversation:user-joined': true,
  'conversation:user-left': true,
  'conversation:read': true,
  'conversation:created': true,
  'conversation:updated': true,
  'conversation:message-received': true,
  'user:status': true,
  'user:moderated': true,
  'event:ended': true,
  'notifications:updated': true,
  'message:pinned': true,
  'announcement:dismissed': true,
  'event:updated': true,
} satisfies Record<keyof ServerEvents, true>

describe('event names', () => {
  const names: string[] = Object.values(ChatEvent)

  it('are unique and exactly those of protocol §5', () => {
    expect(new Set(names).size).toBe(names.length)
    expect([...names].sort()).toEqual([...PROTOCOL_EVENTS].sort())
  })
  it.each(Object.keys(ClientEventSchemas))('client event %s is a ChatEvent value', (name) => {
    expect(names).toContain(name)
  })
  it('ClientEventSchemas covers every C→S event of protocol §5', () => {
    expect(Object.keys(ClientEventSchemas).sort()).toEqual([...PROTOCOL_CLIENT_EVENTS].sort())
  })
  it.each(Object.keys(SERVER_EVENTS))('server event %s is a ChatEvent value', (name) => {
    expect(names).toContain(name)
  })
  it('namespace and rooms', () => {
    expect(CHAT_NAMESPACE).toBe('/chat')
    expect(Room.conversation('c1')).toBe('conv:c1')
    expect(Room.user('u1')).toBe('user:u1')
    expect(Room.event('e1')).toBe('event:e1')
  })
  it("server-side rooms, and telling a room's kind and id", () => {
    expect(Room.session('s1')).toBe('session:s1')
    expect(Room.presence('u1')).toBe('presence:u1')
    expect(Room.is('conversation', Room.conversation('c1'))).toBe(true)
    expect(Room.is('conversation', Room.user('c1'))).toBe(false)
    expect(Room.is('presence', Room.presence('u1'))).toBe(true)
    expect(Room.is('presence', Room.user('u1'))).toBe(false)
    expect(Room.id('conversation', Room.conversation('c1'))).toBe('c1')
    expect(Room.id('presence', Room.presence('u-2'))).toBe('u-2')
  })
})

describe('seed client payloads (reference/secura-qr-websocket-chat.md)', () => {
  it.each<[keyof typeof ClientEventSchemas, unknown]>([
    [
      'message:send',
      { conversationId, content: 'Salut', messageId: `msg_${Date.now()}`, timestamp: new Date() },
    ],
    ['message:send', { conversationId, content: 'Salut', messageId: `msg_${Date.now()}` }],
    ['message:edited', { messageId, newContent: 'corrigé', editedAt: new Date() }],
    ['message:deleted', { messageId, deletedBy: ids.user, deletedAt: new Date() }],
    ['message:reaction', { messageId, userId: ids.user, emoji: '👍' }],
    ['message:typing', { conversationId, isTyping: true }],
    ['message:typing', { conversationId }],
    ['message:stop-typing', { conversationId }],
    ['conversation:join', { conversationId }],
    ['conversation:leave', { conversationId }],
    ['user:online', { userId: ids.user }],
  ])('%s %j validates', (name, payload) => {
    expect(compile(ClientEventSchemas[name]).check(payload)).toBe(true)
  })
})

describe('toSendCommand', () => {
  const parseSend = (payload: unknown): MessageSendInput => {
    const result = compile(events.MessageSendInput).parse(payload)
    if (!result.ok) throw new Error(JSON.stringify(result.issues))
    return result.value
  }

  it("maps the seed's messageId to clientMessageId", () => {
    expect(toSendCommand(parseSend({ ...seedSend, timestamp: new Date() }))).toEqual({
      conversationId,
      content: 'Bonjour',
      clientMessageId: seedSend.messageId,
      replyToId: undefined,
    })
  })
  it('keeps clientMessageId and replyToId', () => {
    expect(toSendCommand(parseSend({ ...send, replyToId: messageId }))).toEqual({
      ...send,
      replyToId: messageId,
    })
  })
  it('prefers clientMessageId when both ids are sent', () => {
    expect(toSendCommand(parseSend({ ...send, messageId: 'msg_1' })).clientMessageId).toBe(
      send.clientMessageId,
    )
  })
  it('carries no smuggled field', () => {
    const command = toSendCommand(parseSend({ ...seedSend, senderId: ids.other, seq: 9, eventId: ids.event }))
    expect(Object.keys(command).sort()).toEqual(['clientMessageId', 'content', 'conversationId', 'replyToId'])
  })
})
