import { describe, expect, it } from 'vitest'
import { LIMITS } from './limits.ts'
import * as primitives from './primitives.ts'
import { Content, DateTime, Emoji, Id, isSingleEmoji } from './primitives.ts'
import { describeSchemas, NOW, uuid } from './test-utils.ts'
import { compile } from './validate.ts'

const max = LIMITS.messageChars
const INT4_MAX = 2_147_483_647

describe('primitives', () => {
  describeSchemas(primitives, {
    Id: {
      valid: [uuid(1), 'A1B2C3D4-E5F6-4789-ABCD-EF0123456789', '01890a5d-ac96-774b-bcce-b302099a8057'],
      invalid: [
        ['a word', 'abc'],
        ['the seed message id', 'msg_1717243200000'],
        ['no dashes', '0190a6c41f2e70008000000000000001'],
        ['one char too many', `${uuid(1)}0`],
        ['non-hex digit', uuid(1).replace(/.$/, 'g')],
        ['empty', ''],
        ['a number', 123],
      ],
    },
    DateTime: {
      valid: [NOW, '2024-06-01T12:00:00Z', '2024-06-01T14:00:00+02:00', '2024-02-29T23:59:59.123456Z'],
      invalid: [
        ['a date only', '2024-06-01'],
        ['no offset', '2024-06-01T12:00:00'],
        ['space separator', '2024-06-01 12:00:00Z'],
        ['month 13', '2024-13-01T00:00:00Z'],
        ['February 30th', '2024-02-30T00:00:00Z'],
        ['February 29th of a common year', '2023-02-29T00:00:00Z'],
        ['June 31st', '2024-06-31T00:00:00Z'],
        ['day 00', '2024-06-00T00:00:00Z'],
        ['minute 60', '2024-06-01T12:60:00Z'],
        ['a word', 'yesterday'],
        ['empty', ''],
        ['epoch milliseconds', 1717243200000],
        ['a Date object', new Date(NOW)],
      ],
    },
    Content: {
      valid: ['a', ' hi ', 'x'.repeat(max), `\n${'x'.repeat(max)}\n  `, 'ligne 1\nligne 2', '👍'],
      invalid: [
        ['empty', ''],
        ['spaces only', '   '],
        ['mixed whitespace only', ' \n\t\r\u00a0'],
        ['one over the limit', 'x'.repeat(max + 1)],
        ['one over the limit, padded', ` ${'x'.repeat(max + 1)} `],
        ['a NUL', 'a\u0000b'],
        ['a lone surrogate', 'a\uD800b'],
        ['an escape character', 'a\u001b[31mb'],
        ['a number', 42],
        ['null', null],
      ],
    },
    Caption: {
      valid: ['', '   ', ' \n', 'the stage', 'x'.repeat(max)],
      invalid: [
        ['one over the limit', 'x'.repeat(max + 1)],
        ['a NUL', 'a\u0000b'],
        ['a lone surrogate', 'a\uD800b'],
        ['a number', 42],
      ],
    },
    ClientMessageId: {
      valid: [uuid(9), 'msg_1717243200000', 'a'.repeat(LIMITS.clientMessageIdChars)],
      invalid: [
        ['empty', ''],
        ['too long', 'a'.repeat(LIMITS.clientMessageIdChars + 1)],
        ['with a space', 'msg 1'],
        ['with a slash', 'msg/1'],
        ['a number', 1717243200000],
      ],
    },
    DisplayName: {
      valid: ['Ada', 'A', 'x'.repeat(LIMITS.displayNameChars), 'Zoë Ø', 'Ana 👨‍👩‍👧', '李雷', 'أحمد'],
      invalid: [
        ['a NUL', 'Ada\u0000'],
        ['a lone surrogate', '\uDC00Ada'],
        ['a right-to-left override', '\u202Egnp.exe\u202C Host'],
        ['a zero-width space', '\u200b'],
        ['a trailing zero-width space', 'admin\u200b'],
        ['a zero-width joiner between letters', 'ad\u200Dmin'],
        ['a line break', 'Ada\nLovelace'],
        ['empty', ''],
        ['whitespace only', '  \t'],
        ['too long', 'x'.repeat(LIMITS.displayNameChars + 1)],
        ['a number', 7],
      ],
    },
    Title: {
      valid: ['Volunteers', 'x'.repeat(LIMITS.titleChars)],
      invalid: [
        ['empty', ''],
        ['whitespace only', '   '],
        ['too long', 'x'.repeat(LIMITS.titleChars + 1)],
        ['a NUL', 'Team\u0000'],
        ['null', null],
      ],
    },
    EventName: {
      valid: ['Summer Festival', 'x'.repeat(LIMITS.eventNameChars)],
      invalid: [
        ['empty', ''],
        ['a NUL', 'Fest\u0000'],
        ['a bidi isolate', 'Fest\u2067ival'],
        ['too long', 'x'.repeat(LIMITS.eventNameChars + 1)],
      ],
    },
    SearchTerm: {
      valid: ['', ' ', 'ana', 'Zoë'],
      invalid: [
        ['a NUL', '\u0000'],
        ['a lone surrogate', '\uD800'],
        ['too long', 'x'.repeat(LIMITS.displayNameChars + 1)],
      ],
    },
    Emoji: {
      valid: ['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣', '🏳️‍🌈'],
      invalid: [
        ['a letter', 'a'],
        ['two emojis', '👍👍'],
        ['an emoticon', ':)'],
        ['empty', ''],
        ['emoji and text', '👍ok'],
        ['padded emoji', ' 👍 '],
        ['a bare digit', '1'],
        ['a lone regional indicator', '🇫'],
        ['a shortcode', ':thumbsup:'],
        ['a number', 1],
      ],
    },
    Seq: {
      valid: [0, 1, INT4_MAX],
      invalid: [
        ['negative', -1],
        ['fractional', 1.5],
        ['beyond int4', INT4_MAX + 1],
        ['a numeric string', '1'],
        ['NaN', Number.NaN],
      ],
    },
    Rev: {
      valid: [0, 12, INT4_MAX],
      invalid: [
        ['negative', -1],
        ['fractional', 0.5],
        ['beyond int4', INT4_MAX + 1],
        ['null', null],
      ],
    },
    Role: {
      valid: ['guest', 'moderator', 'organizer'],
      invalid: [
        ['admin', 'admin'],
        ['capitalised', 'Guest'],
        ['empty', ''],
      ],
    },
    ConversationKind: {
      valid: ['event', 'direct', 'group'],
      invalid: [
        ['channel', 'channel'],
        ['lobby', 'lobby'],
        ['a number', 0],
      ],
    },
    MemberRole: {
      valid: ['owner', 'member'],
      invalid: [
        ['admin', 'admin'],
        ['guest', 'guest'],
        ['null', null],
      ],
    },
    PresenceStatus: {
      valid: ['online', 'away', 'offline'],
      invalid: [
        ['busy', 'busy'],
        ['capitalised', 'Online'],
        ['a boolean', true],
      ],
    },
    ReactionAction: {
      valid: ['add', 'remove'],
      invalid: [
        ['toggle', 'toggle'],
        ['empty', ''],
        ['undefined', undefined],
      ],
    },
  })
})

describe('message length (protocol §7: 1–LIMITS.messageChars after trimming)', () => {
  const { check } = compile(Content)
  it.each([
    ['exactly the limit', 'x'.repeat(max), true],
    ['the limit plus one', 'x'.repeat(max + 1), false],
    ['the limit inside whitespace', `\t ${'é'.repeat(max)}\n`, true],
    ['the limit with inner spaces', `a${' '.repeat(max - 2)}b`, true],
    ['the limit plus one with inner spaces', `a${' '.repeat(max - 1)}b`, false],
  ])('%s → %s', (_label, value, ok) => {
    expect(check(value)).toBe(ok)
  })
})

describe('emoji', () => {
  const { check } = compile(Emoji)
  it.each(['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇫🇷'])('accepts the RGI emoji %s', (emoji) => {
    expect(check(emoji)).toBe(true)
    expect(isSingleEmoji(emoji)).toBe(true)
  })
  it.each(['a', '👍👍', ':)', ''])('rejects %j', (value) => {
    expect(check(value)).toBe(false)
    expect(isSingleEmoji(value)).toBe(false)
  })
})

describe('formats', () => {
  it('are registered by importing the package: uuid, date-time, emoji', () => {
    expect(Id.format).toBe('uuid')
    expect(DateTime.format).toBe('date-time')
    expect(Emoji.format).toBe('emoji')
    expect(compile(Id).check(uuid(1))).toBe(true)
  })
})
