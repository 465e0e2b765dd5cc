import fc from 'fast-check'

/**
 * Hostile inputs for the fuzz suite. fast-check's default strings are printable ASCII in shallow shapes,
 * which is how NUL in names and 5,000-deep arrays went unnoticed: these cover full Unicode (NUL, controls,
 * lone surrogates, bidi and invisible characters, 4-byte emoji), deep and wide nesting, prototype keys and
 * numbers JSON can write but JavaScript cannot hold. Payloads are JSON text, written out, so depth is not
 * limited by JSON.stringify or the client library (both recurse).
 */

/** Ids the test fills in when it runs (they come from its beforeAll). */
export const FOREIGN = '__FOREIGN_CONVERSATION__'
export const LOBBY = '__LOBBY__'
const NUMBER = '__NUMBER__'

const nasty = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u001b',
  '\u007f',
  '\u0085',
  '\uD800',
  '\uDFFF',
  '\uDBFF\uDBFF',
  '\u202E',
  '\u2066',
  '\u200E',
  '\u200B',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u00AD',
  '\uFFFE',
  '\n',
  '\r',
  '\t',
  ' ',
  '😀',
  '👨‍👩‍👧',
  '𝕏',
  'é',
  'e\u0301',
  'А',
  '<script>',
  '"',
  '\\',
)
/** One unit of text: mostly any code point (surrogate halves included), often one of the nasty ones. */
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
)
export const unicodeText = (maxLength = 60) => fc.string({ unit, maxLength })

/** Numbers as JSON text: beyond doubles (they parse to Infinity), beyond int4, beyond 2^53, negative zero. */
const hugeNumber = fc.constantFrom(
  '1e308',
  '-1e309',
  '1e400',
  '123456789012345678901234567890',
  '9007199254740993',
  '2147483648',
  '-0',
  '1e-400',
  '0.1e1',
  '-2147483649',
)

const ids = fc.oneof(fc.constant(FOREIGN), fc.uuid(), unicodeText(40), fc.constant(NUMBER))
const texts = fc.oneof(
  { weight: 5, arbitrary: unicodeText(80) },
  { weight: 1, arbitrary: fc.constant(NUMBER) },
)
/** Around the message limit: hostile text padded to 3,990–4,010 characters (cheaper than 4,000 random units). */
const longText = fc
  .tuple(unicodeText(20), fc.integer({ min: 3990, max: 4010 }), fc.constantFrom('x', ' ', '😀'))
  .map(([text, length, pad]) => text + pad.repeat(Math.max(0, length - text.length) / pad.length))
const messageText = fc.oneof({ weight: 4, arbitrary: texts }, { weight: 1, arbitrary: longText })

/** Payloads shaped like ours (so they pass the first checks) with hostile values in every field. */
const shaped = fc
  .record(
    {
      conversationId: ids,
      messageId: ids,
      clientMessageId: fc.oneof(fc.uuid(), unicodeText(70)),
      content: messageText,
      newContent: messageText,
      emoji: fc.oneof(nasty, unicodeText(4), fc.constantFrom('👍', '👍👍', '❤️')),
      action: fc.oneof(fc.constantFrom('add', 'remove', 'toggle'), fc.constant(NUMBER)),
      seq: fc.oneof(fc.constant(NUMBER), fc.integer(), fc.double()),
      userIds: fc.oneof(fc.array(ids, { maxLength: 300 }), unicodeText()),
      cursors: fc.array(fc.record({ conversationId: ids, rev: fc.oneof(fc.integer(), fc.constant(NUMBER)) })),
      isTyping: fc.oneof(fc.boolean(), unicodeText(5)),
      kind: fc.constantFrom('direct', 'group', 'event'),
      title: texts,
      name: texts,
      displayName: texts,
      code: fc.oneof(unicodeText(130), fc.string({ unit: 'binary-ascii', minLength: 16, maxLength: 128 })),
      role: fc.oneof(fc.constantFrom('guest', 'organizer', 'admin'), unicodeText(10)),
      maxUses: fc.oneof(fc.constant(NUMBER), fc.integer()),
      expiresAt: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        unicodeText(30),
      ),
    },
    { requiredKeys: [] },
  )
  .chain((record) =>
    fc.array(hugeNumber, { minLength: 1, maxLength: 8 }).map((numbers) => {
      let i = 0
      return JSON.stringify(record).replaceAll(`"${NUMBER}"`, () => numbers[i++ % numbers.length]!)
    }),
  )

/** `levels` of arrays or objects around a value, as JSON text. */
export const deepJson = (levels: number, kind: 'array' | 'object' = 'array'): string =>
  kind === 'array'
    ? `${'['.repeat(levels)}0${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}0${'}'.repeat(levels)}`

const deep = fc
  .tuple(
    fc.integer({ min: 2, max: 5000 }),
    fc.constantFrom<'array' | 'object'>('array', 'object'),
    fc.boolean(),
  )
  .map(([levels, kind, inField]) =>
    inField ? `{"conversationId":"${FOREIGN}","x":${deepJson(levels, kind)}}` : deepJson(levels, kind),
  )

const wide = fc
  .tuple(fc.integer({ min: 100, max: 5000 }), fc.boolean())
  .map(([n, asObject]) =>
    asObject
      ? `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`
      : `{"userIds":[${Array.from({ length: n }, () => '0').join(',')}]}`,
  )

const prototypeKeys = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), shaped)
  .map(([key, body]) => `{"${key}":{"isAdmin":true,"polluted":1},"body":${body}}`)

/** Any JSON text a hostile client might send: anything at all, our shapes with hostile values, depth, width. */
export const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 5, arbitrary: shaped },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: wide },
  { weight: 1, arbitrary: prototypeKeys },
  { weight: 1, arbitrary: hugeNumber },
)

/** Display names for joins that are meant to reach the database most of the time. */
export const joinName = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  { weight: 2, arbitrary: unicodeText(45) },
  { weight: 1, arbitrary: fc.string({ unit: nasty, minLength: 1, maxLength: 5 }) },
)

/** Handshake `auth` objects: anything, token-shaped, and deep (the client library recurses: 2,000 at most). */
export const hostileAuth = (validToken: string) =>
  fc.oneof(
    fc.anything({ maxDepth: 4 }),
    fc
      .tuple(
        fc.record(
          {
            token: fc.oneof(fc.constant(validToken), unicodeText(300), fc.integer()),
            userId: fc.oneof(fc.uuid(), unicodeText(40)),
            eventId: fc.oneof(fc.uuid(), unicodeText(40)),
          },
          { requiredKeys: [] },
        ),
        fc.boolean(),
      )
      // An own `__proto__` key (JSON.parse makes one; an object literal would set the prototype instead).
      .map(([auth, polluted]) =>
        polluted ? { ...auth, ...JSON.parse('{"__proto__":{"isAdmin":true}}') } : auth,
      ),
    fc.integer({ min: 2, max: 2000 }).map((levels) => ({
      token: validToken,
      extra: JSON.parse(deepJson(levels, 'object')),
    })),
  )

/** A query string value as a client would encode it, lone surrogates too (encodeURIComponent throws on them). */
export function encodeQuery(text: string): string {
  return [...text]
    .map((ch) => {
      try {
        return encodeURIComponent(ch)
      } catch {
        return `%${ch.charCodeAt(0).toString(16).toUpperCase()}`
      }
    })
    .join('')
}
