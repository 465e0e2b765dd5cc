import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import type { TestServer } from '../helpers.ts'

/** Limits raised for a test file that uploads and joins many times from one address. */
export const MANY_UPLOADS = { LIMIT_UPLOADS_PER_MIN: '1000', LIMIT_JOINS_PER_MIN: '100000' }

/** A JPEG as a phone takes it: GPS position in its EXIF, and rotated by an Orientation tag (6: 90° clockwise). */
export function phoneJpeg(width = 64, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Phone 1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 24/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 21/1 3/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer()
}

export const png = (width = 16, height = 16) =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 1 } } })
    .png()
    .toBuffer()

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (data: Buffer) => {
  let c = 0xffffffff
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type: string, data: Buffer) => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A tiny PNG whose header claims `side`×`side` pixels: decoded, it would take gigabytes. */
export function pngBomb(side = 100_000): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale
  const rows = deflateSync(Buffer.alloc((side + 1) * 4)) // a few rows of zeros; the rest is never read
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** POSTs one file as multipart/form-data, as a browser's FormData does. */
export async function upload(
  server: TestServer,
  token: string,
  conversationId: string,
  bytes: Buffer,
  name: string,
  type = 'application/octet-stream',
  headers: Record<string, string> = {},
) {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name)
  const res = await fetch(`${server.url}/api/chat/conversations/${conversationId}/attachments`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${token}` },
    body: form,
  })
  return { status: res.status, body: (await res.json()) as any }
}

/** GETs a served file; `bytes` is the body as sent. */
export async function fetchFile(
  server: TestServer,
  token: string | undefined,
  path: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { ...headers, ...(token && { authorization: `Bearer ${token}` }) },
  })
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) }
}
