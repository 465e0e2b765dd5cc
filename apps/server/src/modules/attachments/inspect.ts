// What an uploaded file really is, decided from its bytes: the client's name and type are never trusted.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { FILE_TYPES, IMAGE_TYPES } from '@secura/shared'
import { fileTypeFromFile } from 'file-type'
import { AppError, validation } from '../../errors.ts'

export type Inspected = { kind: 'image'; mime: string } | { kind: 'file'; mime: string }

const SNIFF_TEXT_BYTES = 64 * 1024
// Markers of active content that have no business inside an image or a PDF: HTML, script, PHP, or a ZIP
// (a JAR) appended to a picture. Long enough that compressed image data does not match them by chance.
const ACTIVE_CONTENT = [
  '<script',
  '<html',
  '<!doctype html',
  '<?php',
  '<iframe',
  'javascript:',
  '/javascript',
  'pk\u0003\u0004\u0014\u0000',
  'pk\u0003\u0004\n\u0000',
]
const LONGEST_MARKER = Math.max(...ACTIVE_CONTENT.map((m) => m.length))

const isImage = (mime: string) => (IMAGE_TYPES as readonly string[]).includes(mime)
const isFile = (mime: string) => (FILE_TYPES as readonly string[]).includes(mime)

/** The allowed type of the file at `path`, or a VALIDATION error naming what it is instead. */
export async function inspect(path: string, name: string): Promise<Inspected> {
  const sniffed = await fileTypeFromFile(path)
  const what = `"${name}"`
  if (!sniffed) {
    const text = await textKind(path)
    if (text === 'svg') throw validation(`${what} is an SVG image; SVG files are not accepted`)
    if (text === 'text') return { kind: 'file', mime: 'text/plain' }
    throw validation(`${what} is not a type that can be shared (unrecognized binary data)`)
  }
  if (sniffed.mime === 'image/svg+xml' || sniffed.mime === 'application/xml')
    throw validation(`${what} is an SVG image; SVG files are not accepted`)
  if (!isImage(sniffed.mime) && !isFile(sniffed.mime))
    throw validation(`${what} is ${sniffed.mime} (.${sniffed.ext}), which cannot be shared`, {
      detected: sniffed.mime,
    })
  const marker = await activeContent(path)
  if (marker)
    throw validation(`${what} is ${sniffed.mime} with hidden content inside (a polyglot, "${marker}")`, {
      detected: sniffed.mime,
    })
  return { kind: isImage(sniffed.mime) ? 'image' : 'file', mime: sniffed.mime }
}

/** Plain UTF-8 text without control characters (beyond tabs, line and page breaks), or an SVG document. */
async function textKind(path: string): Promise<'text' | 'svg' | undefined> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_TEXT_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_TEXT_BYTES, 0)
    if (bytesRead === 0) throw validation('The file is empty')
    // A multi-byte character cut at the end of the sample is still text.
    const sample = buffer.subarray(0, bytesRead)
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true })
    } catch {
      return undefined
    }
    if (/<svg[\s>]/i.test(text)) return 'svg'
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for.
    if (/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text)) return undefined
    return 'text'
  } finally {
    await handle.close()
  }
}

const MARKER_BYTES = ACTIVE_CONTENT.map((marker) => Buffer.from(marker, 'latin1'))
const CHUNK = 256 * 1024

/**
 * The first marker of active content found in the file: read in chunks, each lowercased into one buffer
 * reused for the whole file (with the end of the previous chunk in front), so fifty files scanned at once
 * allocate almost nothing.
 */
async function activeContent(path: string): Promise<string | undefined> {
  const window = Buffer.alloc(LONGEST_MARKER + CHUNK)
  let kept = 0
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    const bytes = chunk as Buffer
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!
      window[kept + i] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b // ASCII lowercase
    }
    const view = window.subarray(0, kept + bytes.length)
    const found = MARKER_BYTES.findIndex((marker) => view.includes(marker))
    if (found >= 0) return ACTIVE_CONTENT[found]!.replace(/[^\x20-\x7e]/g, '.')
    kept = Math.min(LONGEST_MARKER, view.length)
    view.copy(window, 0, view.length - kept)
  }
  return undefined
}

export const tooLarge = (limit: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `A file may be at most ${Math.floor(limit / (1024 * 1024))} MB`, {
    limitBytes: limit,
  })
