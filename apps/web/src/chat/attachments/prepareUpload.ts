import { FILE_TYPES, LIMITS } from '@secura/shared'

/** A photo larger than this (longest edge, or bytes) is made smaller on the device before it is sent. */
export const DOWNSCALE_EDGE_PX = 2560
export const DOWNSCALE_BYTES = 4 * 1024 * 1024
const JPEG_QUALITY = 0.85

/** What the file picker offers; the server sniffs the bytes itself and has the last word. */
export const ACCEPTED_TYPES = ['image/*', ...FILE_TYPES].join(',')

/** A file the server would refuse by its type, as far as the browser can tell (an unknown type may pass). */
export function isAcceptedType(file: Pick<File, 'type'>): boolean {
  return (
    file.type === '' ||
    file.type.startsWith('image/') ||
    (FILE_TYPES as readonly string[]).includes(file.type)
  )
}

export interface PreparedFile {
  blob: Blob
  name: string
}

/**
 * A huge photo (a phone camera's 12–50 MP, or over 4 MB) is drawn smaller and sent as JPEG: the upload is
 * a fraction of the size and the server would make it ≤ 2048 px anyway. GIFs (which may move), files and
 * images the browser cannot decode (HEIC in most) go as they are.
 */
export async function prepareUpload(file: File): Promise<PreparedFile> {
  const original = { blob: file, name: file.name || 'photo' }
  if (!file.type.startsWith('image/') || file.type === 'image/gif') return original
  const image = await decodeImage(file)
  if (!image) return original
  try {
    const longest = Math.max(image.width, image.height)
    if (longest <= DOWNSCALE_EDGE_PX && file.size <= DOWNSCALE_BYTES) return original
    const scale = Math.min(1, DOWNSCALE_EDGE_PX / longest)
    const width = Math.max(1, Math.round(image.width * scale))
    const height = Math.max(1, Math.round(image.height * scale))
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const context = canvas.getContext('2d')
    if (!context) return original
    // JPEG has no transparency: what was transparent becomes white, not black.
    context.fillStyle = '#fff'
    context.fillRect(0, 0, width, height)
    context.drawImage(image.source, 0, 0, width, height)
    const jpeg = await new Promise<Blob | null>((resolve) =>
      canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY),
    )
    if (!jpeg || (jpeg.size >= file.size && scale === 1)) return original
    return { blob: jpeg, name: `${baseName(original.name)}.jpg` }
  } finally {
    image.close()
  }
}

/** Why a file cannot go, before anything is uploaded; null when it can. */
export function refusal(file: PreparedFile): string | null {
  if (file.blob.size === 0) return `${file.name} is empty`
  if (file.blob.size > LIMITS.uploadBytes)
    return `${file.name} is larger than ${Math.round(LIMITS.uploadBytes / (1024 * 1024))} MB`
  return null
}

interface DecodedImage {
  source: CanvasImageSource
  width: number
  height: number
  close(): void
}

/** createImageBitmap (orientation applied), or an <img> where it is missing; null when it cannot decode. */
async function decodeImage(file: File): Promise<DecodedImage | null> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
      return { source: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() }
    } catch {
      // not decodable here, or the options are not supported: try an <img>
    }
  }
  const url = URL.createObjectURL(file)
  const img = new Image()
  const close = () => URL.revokeObjectURL(url)
  try {
    img.src = url
    await img.decode()
    if (img.naturalWidth) return { source: img, width: img.naturalWidth, height: img.naturalHeight, close }
  } catch {
    // not an image this browser reads
  }
  close()
  return null
}

const baseName = (name: string) => name.replace(/\.[^.]*$/, '') || 'photo'
