// Images are decoded and written anew: what was in the original besides pixels (EXIF, GPS, comments, a
// payload appended after the image) does not survive, and the orientation is applied to the pixels.
import { encode } from 'blurhash'
import sharp, { type Metadata } from 'sharp'
import { AppError, validation } from '../../errors.ts'

export interface RenderedImage {
  width: number
  height: number
  blurhash: string
  displayBytes: number
  thumbBytes: number
}

// Every upload is a new image: libvips' operation cache would only hold decoded pixels in memory.
sharp.cache(false)
// One libvips thread per image: the images decoded side by side (below) are the parallelism, and every
// extra thread keeps buffers of its own.
sharp.concurrency(1)

/**
 * Renders one photo at a time (or `concurrent`): fifty guests sending photos together queue here instead of
 * decoding fifty images side by side (each pipeline holds its pixels and its encoder's buffers), which keeps
 * memory flat. A render whose request is gone (`signal`) leaves the queue without decoding anything.
 */
export function createImageRenderer(concurrent: number) {
  let free = concurrent
  const waiting: { start: () => void; signal: AbortSignal | undefined }[] = []
  const next = () => {
    for (let turn = waiting.shift(); turn; turn = waiting.shift()) {
      if (turn.signal?.aborted) continue
      return turn.start()
    }
    free++
  }
  const slot = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(uploadCancelled())
      if (free > 0) {
        free--
        return resolve()
      }
      const turn = {
        signal,
        start: () => {
          signal?.removeEventListener('abort', leave)
          resolve()
        },
      }
      const leave = () => {
        const at = waiting.indexOf(turn)
        if (at >= 0) waiting.splice(at, 1)
        reject(uploadCancelled())
      }
      signal?.addEventListener('abort', leave, { once: true })
      waiting.push(turn)
    })

  return {
    /** Writes the display size and the thumbnail (WebP) of the image at `path`; refuses bombs before decoding. */
    async render(
      path: string,
      out: { display: string; thumb: string },
      options: { name: string; maxPixels: number; signal?: AbortSignal | undefined },
    ): Promise<RenderedImage> {
      await slot(options.signal)
      try {
        return await render(path, out, options)
      } finally {
        next()
      }
    },
    /** Renders waiting for their turn (metrics, tests). */
    get queued() {
      return waiting.length
    },
  }
}
export type ImageRenderer = ReturnType<typeof createImageRenderer>

/** The client went away before its answer (mid-body, or while its photo waited): nobody will read it. */
export const uploadCancelled = () =>
  new AppError('UNAVAILABLE', 'The upload was cancelled: the client went away before its answer')

const DISPLAY_PX = 2048
const THUMB_PX = 320

async function render(
  path: string,
  out: { display: string; thumb: string },
  { name, maxPixels }: { name: string; maxPixels: number },
): Promise<RenderedImage> {
  let meta: Metadata
  try {
    // The header only: a decompression bomb is caught here, before any pixel is decoded.
    meta = await sharp(path, { limitInputPixels: false }).metadata()
  } catch {
    throw validation(`"${name}" could not be read as an image`)
  }
  const { width = 0, height = 0, pages = 1 } = meta
  if (width === 0 || height === 0) throw validation(`"${name}" could not be read as an image`)
  if (width * height * pages > maxPixels)
    throw validation(
      `"${name}" is ${width}×${height} pixels${pages > 1 ? ` in ${pages} frames` : ''}, over the limit of ${maxPixels} (a decompression bomb?)`,
      { width, height, pages, maxPixels },
    )
  const animated = pages > 1
  try {
    const display = await sharp(path, { limitInputPixels: maxPixels, failOn: 'error', animated })
      .rotate()
      .resize(DISPLAY_PX, DISPLAY_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toFile(out.display)
    // The thumbnail and the blurhash come from the display size just written (upright, at most 2048 px):
    // the original, possibly 50 megapixels, is decoded once instead of three times.
    const fromDisplay = () => sharp(out.display, { limitInputPixels: maxPixels, failOn: 'error' })
    const thumb = await fromDisplay()
      .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toFile(out.thumb)
    const small = await fromDisplay()
      .resize(32, 32, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    const blurhash = encode(
      new Uint8ClampedArray(small.data.buffer, small.data.byteOffset, small.data.length),
      small.info.width,
      small.info.height,
      4,
      3,
    )
    // An animated image's display height is the height of all its frames stacked: one frame's is wanted.
    const frameHeight = display.pageHeight ?? display.height
    return {
      width: display.width,
      height: frameHeight,
      blurhash,
      displayBytes: display.size,
      thumbBytes: thumb.size,
    }
  } catch {
    throw validation(`"${name}" is damaged or not a complete image`)
  }
}
