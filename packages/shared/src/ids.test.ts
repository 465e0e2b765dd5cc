import { afterEach, describe, expect, it } from 'vitest'
import { newId } from './ids.ts'
import { ClientMessageId, Id } from './primitives.ts'
import { compile } from './validate.ts'

const RFC_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// This package is typed without the DOM library; the test only needs to take randomUUID away.
const { crypto } = globalThis as unknown as { crypto: object }
// randomUUID lives on Crypto.prototype (in browsers and in Node alike).
const cryptoPrototype = Object.getPrototypeOf(crypto) as object

describe('newId', () => {
  const randomUUID = Object.getOwnPropertyDescriptor(cryptoPrototype, 'randomUUID')
  afterEach(() => {
    if (randomUUID) Object.defineProperty(cryptoPrototype, 'randomUUID', randomUUID)
  })

  it('makes valid, unique version 4 UUIDs where crypto.randomUUID is missing (plain http)', () => {
    // As on a page served over http from a LAN address: no randomUUID, getRandomValues only.
    Reflect.deleteProperty(cryptoPrototype, 'randomUUID')
    expect('randomUUID' in crypto).toBe(false)

    const ids = Array.from({ length: 10_000 }, newId)
    const id = compile(Id)
    const clientMessageId = compile(ClientMessageId)
    for (const value of ids) {
      expect(value).toMatch(RFC_V4)
      expect(id.check(value)).toBe(true)
      expect(clientMessageId.check(value)).toBe(true)
    }
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('uses every hex digit of the random part', () => {
    // A broken byte-to-hex mapping (a fixed or truncated digit) would leave some digits never seen.
    const seen = new Set(Array.from({ length: 200 }, newId).join('').replace(/-/g, ''))
    expect([...seen].sort().join('')).toBe('0123456789abcdef')
  })
})
