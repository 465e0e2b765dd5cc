import type { Attachment, AttachmentVariant } from '@secura/shared'
import { decode } from 'blurhash'

/** Served to members only, with the session cookie the page already sends. */
export const attachmentUrl = (attachment: Pick<Attachment, 'id'>, variant: AttachmentVariant) =>
  `/api/attachments/${attachment.id}/${variant}`

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

const placeholders = new Map<string, string | undefined>()

/** The blurhash as a tiny image (a data: URL, which the page's CSP allows), or undefined without a canvas. */
export function blurhashUrl(hash: string | null): string | undefined {
  if (!hash) return undefined
  if (placeholders.has(hash)) return placeholders.get(hash)
  let url: string | undefined
  try {
    const size = 16
    const pixels = decode(hash, size, size)
    const canvas = document.createElement('canvas')
    canvas.width = canvas.height = size
    const context = canvas.getContext('2d')
    if (context) {
      const image = context.createImageData(size, size)
      image.data.set(pixels)
      context.putImageData(image, 0, 0)
      url = canvas.toDataURL()
    }
  } catch {
    url = undefined // an invalid hash, or no canvas (tests): the plain background shows instead
  }
  placeholders.set(hash, url)
  return url
}
