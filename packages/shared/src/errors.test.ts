import { describe, expect, it } from 'vitest'
import * as errors from './errors.ts'
import { ERROR_CODES, ErrorStatus, isErrorCode } from './errors.ts'
import { describeSchemas } from './test-utils.ts'

/** Protocol §4: every code and the HTTP status it names. */
const PROTOCOL_STATUS: Array<[string, number]> = [
  ['UNAUTHORIZED', 401],
  ['FORBIDDEN', 403],
  ['NOT_FOUND', 404],
  ['VALIDATION', 400],
  ['CONFLICT', 409],
  ['PAYLOAD_TOO_LARGE', 413],
  ['RATE_LIMITED', 429],
  ['UNAVAILABLE', 503],
  ['INTERNAL', 500],
]

describe('error codes', () => {
  it.each(PROTOCOL_STATUS)('%s → HTTP %i', (code, status) => {
    expect(isErrorCode(code)).toBe(true)
    expect(ErrorStatus[code as keyof typeof ErrorStatus]).toBe(status)
  })
  it('are exactly those of protocol §4', () => {
    expect([...ERROR_CODES].sort()).toEqual(PROTOCOL_STATUS.map(([code]) => code).sort())
  })
  it.each([
    ['validation'],
    ['NOPE'],
    [''],
    ['toString'],
    ['constructor'],
    ['__proto__'],
    [400],
    [null],
    [undefined],
  ])('isErrorCode(%j) is false', (value) => {
    expect(isErrorCode(value)).toBe(false)
  })
})

describe('error schemas', () => {
  const error = { code: 'RATE_LIMITED', message: 'Slow down', retryAfterMs: 250 }
  describeSchemas(errors, {
    ErrorCodeSchema: {
      valid: ERROR_CODES,
      invalid: [
        ['lowercase', 'validation'],
        ['unknown', 'TEAPOT'],
        ['a status number', 404],
        ['empty', ''],
      ],
    },
    ChatErrorSchema: {
      valid: [error, { code: 'VALIDATION', message: 'Bad input', details: [{ path: '/content' }] }],
      invalid: [
        ['unknown code', { ...error, code: 'TEAPOT' }],
        ['missing message', { code: 'INTERNAL' }],
        ['negative retryAfterMs', { ...error, retryAfterMs: -1 }],
        ['fractional retryAfterMs', { ...error, retryAfterMs: 1.5 }],
        ['numeric message', { ...error, message: 500 }],
      ],
    },
    ErrorBody: {
      valid: [{ error }, { error: { code: 'NOT_FOUND', message: 'Not found' } }],
      invalid: [
        ['bare error', error],
        ['string error', { error: 'NOT_FOUND' }],
        ['invalid inner error', { error: { code: 'NOT_FOUND' } }],
        ['null', null],
      ],
    },
  })
})
