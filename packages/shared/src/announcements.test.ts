import { describe } from 'vitest'
import * as announcements from './announcements.ts'
import { describeSchemas, ids, message, NOW } from './test-utils.ts'

const pinned = { ...message, pinnedAt: NOW, pinnedBy: ids.user }
const announced = { ...message, announcement: true }
const settings = { announcementOnly: false, moderatorsAnnounce: false }

describe('announcement and pin schemas', () => {
  describeSchemas(announcements, {
    EventSettingsBody: {
      valid: [
        { announcementOnly: true },
        { moderatorsAnnounce: false },
        { announcementOnly: false, moderatorsAnnounce: true },
      ],
      invalid: [
        ['empty body', {}],
        ['string for a boolean', { announcementOnly: 'yes' }],
        ['null', null],
      ],
    },
    EventSettingsInput: {
      valid: [{ announcementOnly: true }],
      invalid: [
        ['empty payload', {}],
        ['number for a boolean', { moderatorsAnnounce: 1 }],
        ['an array', [true]],
      ],
    },
    MessageRef: {
      valid: [{ messageId: ids.message }],
      invalid: [
        ['missing messageId', {}],
        ['non-uuid messageId', { messageId: 'm1' }],
        ['null messageId', { messageId: null }],
      ],
    },
    MessagePinnedEvent: {
      valid: [
        {
          conversationId: ids.conversation,
          messageId: ids.message,
          pinnedAt: NOW,
          pinnedBy: ids.user,
          rev: 4,
        },
        { conversationId: ids.conversation, messageId: ids.message, pinnedAt: null, pinnedBy: null, rev: 5 },
      ],
      invalid: [
        [
          'missing rev',
          { conversationId: ids.conversation, messageId: ids.message, pinnedAt: null, pinnedBy: null },
        ],
        [
          'bad date',
          {
            conversationId: ids.conversation,
            messageId: ids.message,
            pinnedAt: 'today',
            pinnedBy: null,
            rev: 1,
          },
        ],
        ['missing messageId', { conversationId: ids.conversation, pinnedAt: null, pinnedBy: null, rev: 1 }],
      ],
    },
    PinnedList: {
      valid: [{ messages: [] }, { messages: [pinned] }],
      invalid: [
        ['missing messages', {}],
        ['a message that is not one', { messages: [{ id: ids.message }] }],
        ['pinnedAt not a date', { messages: [{ ...pinned, pinnedAt: 'now' }] }],
      ],
    },
    AnnouncementList: {
      valid: [
        { announcements: [], settings },
        { announcements: [announced], settings: { announcementOnly: true, moderatorsAnnounce: true } },
      ],
      invalid: [
        ['missing announcements', { settings }],
        ['announcement false', { announcements: [{ ...message, announcement: false }], settings }],
        ['missing settings', { announcements: [announced] }],
      ],
    },
    LobbySettings: {
      valid: [settings],
      invalid: [
        ['missing moderatorsAnnounce', { announcementOnly: true }],
        ['string', { announcementOnly: 'no', moderatorsAnnounce: false }],
        ['null', null],
      ],
    },
    AnnouncementDismissed: {
      valid: [{ messageId: ids.message }],
      invalid: [
        ['missing messageId', {}],
        ['non-uuid', { messageId: 'x' }],
        ['number', { messageId: 1 }],
      ],
    },
  })
})
