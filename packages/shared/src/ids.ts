// Only the part of Web Crypto that every context has: this package is typed without the DOM library.
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T }

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/**
 * A random UUID (version 4), valid for `Id` and `ClientMessageId`. Built on `crypto.getRandomValues`
 * because `crypto.randomUUID` exists only in secure contexts: a page served over plain http from a LAN
 * name or address (a venue's network) has no `randomUUID`, but has `getRandomValues`.
 */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40 // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // variant 10 (RFC 9562)
  const hex = Array.from(bytes, (byte) => HEX[byte]).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
