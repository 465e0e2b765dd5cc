// The pixels' part of an upload, run in the decoder's own process (render-process.ts): images are decoded and
// written anew, so what was in the original besides pixels (EXIF, GPS, comments, a payload appended after the
// image) does not survive, and the orientation is applied to the pixels.
import { encode } from 'blurhash'
import sharp, { type Metadata } from 'sharp'

export interface RenderedImage {
  width: number
  height: number
  blurhash: string
  displayBytes: number
  thumbBytes: number
}

/** What is wrong with the image, said to its sender (the server answers VALIDATION with it). */
export class ImageRefusal extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, number>,
  ) {
    super(message)
    this.name = 'ImageRefusal'
  }
}

// Every upload is a new image: libvips' operation cache would only hold decoded pixels in memory.
sharp.cache(false)
// One libvips thread per image: the renders run side by side (IMAGE_RENDERS) are the parallelism, and every
// extra thread keeps buffers of its own.
sharp.concurrency(1)

const DISPLAY_PX = 2048
const THUMB_PX = 320

/** Writes the display size and the thumbnail (WebP) of the image at `path`; refuses bombs before decoding. */
export async function render(
  path: string,
  out: { display: string; thumb: string },
  { name, maxPixels }: { name: string; maxPixels: number },
): Promise<RenderedImage> {
  let meta: Metadata
  try {
    // The header only: a decompression bomb is caught here, before any pixel is decoded.
    meta = await sharp(path, { limitInputPixels: false }).metadata()
  } catch {
    throw new ImageRefusal(`"${name}" could not be read as an image`)
  }
  const { width = 0, height = 0, pages = 1 } = meta
  if (width === 0 || height === 0) throw new ImageRefusal(`"${name}" could not be read as an image`)
  if (width * height * pages > maxPixels)
    throw new ImageRefusal(
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
    throw new ImageRefusal(`"${name}" is damaged or not a complete image`)
  }
}
