import { describe, expect, it } from 'vitest'
import { addressAllowed, checkEndpoint, guardedLookup } from './endpoint.ts'

const production = { allowLoopback: false }
const dev = { allowLoopback: true }

describe('push endpoints', () => {
  it.each([
    '10.1.2.3',
    '127.0.0.1',
    '169.254.169.254',
    '172.20.0.1',
    '192.168.0.10',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
  ])('refuses the private address %s', (address) => {
    expect(addressAllowed(address, production)).toBe(false)
  })

  it.each(['8.8.8.8', '142.250.74.106', '2a00:1450:4007:80f::200a'])('allows the public address %s', (a) => {
    expect(addressAllowed(a, production)).toBe(true)
  })

  it('under the development flag admits 127.0.0.1 only, over http or https', () => {
    expect(addressAllowed('127.0.0.1', dev)).toBe(true)
    expect(addressAllowed('10.0.0.1', dev)).toBe(false)
    expect(checkEndpoint('http://127.0.0.1:8080/p', dev).port).toBe('8080')
    expect(() => checkEndpoint('http://127.0.0.1:8080/p', production)).toThrow(/https/)
    expect(() => checkEndpoint('http://localhost:8080/p', dev)).toThrow()
  })

  it('wants https on a public name or address, without credentials', () => {
    expect(checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', production).hostname).toBe(
      'fcm.googleapis.com',
    )
    for (const bad of [
      'http://fcm.googleapis.com/x',
      'https://user:pw@push.example.com/x',
      'https://10.0.0.1/x',
      'https://[fd00::1]/x',
      'https://printer.local/x',
      'https://intranet/x',
      'javascript:alert(1)',
    ])
      expect(() => checkEndpoint(bad, production), bad).toThrow()
  })

  it('refuses at connection time a name that resolves to a private address', async () => {
    const lookup = guardedLookup(production)
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (err) => resolve(err)),
    )
    expect(error?.code).toBe('EPRIVATEADDRESS')
  })
})
