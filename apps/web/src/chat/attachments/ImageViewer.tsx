import type { Attachment } from '@secura/shared'
import { useEffect, useRef, useState } from 'react'
import { attachmentUrl, blurhashUrl } from './attachments.ts'

/** A horizontal swipe longer than this, in CSS pixels, turns the page; a shorter one is a tap. */
const SWIPE_PX = 50

/** Full screen, one photo at a time: swipe or arrow keys for the next, Escape or the button to close. */
export function ImageViewer({
  images,
  start,
  onClose,
}: {
  images: Attachment[]
  start: number
  onClose: () => void
}) {
  const [index, setIndex] = useState(start)
  const swipeFrom = useRef<number | null>(null)
  const close = useRef<HTMLButtonElement>(null)
  const image = images[index]!
  const go = (step: number) => setIndex((i) => Math.min(images.length - 1, Math.max(0, i + step)))

  useEffect(() => {
    close.current?.focus()
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose()
      else if (event.key === 'ArrowRight') go(1)
      else if (event.key === 'ArrowLeft') go(-1)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  })

  const placeholder = blurhashUrl(image.blurhash)
  return (
    <div
      className="image-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Photo ${index + 1} of ${images.length}`}
      data-testid="image-viewer"
      onPointerDown={(event) => {
        swipeFrom.current = event.clientX
      }}
      onPointerUp={(event) => {
        const from = swipeFrom.current
        swipeFrom.current = null
        if (from === null) return
        const dx = event.clientX - from
        if (Math.abs(dx) >= SWIPE_PX) go(dx < 0 ? 1 : -1)
      }}
    >
      <img
        key={image.id}
        src={attachmentUrl(image, 'display')}
        alt={image.name}
        width={image.width ?? undefined}
        height={image.height ?? undefined}
        style={placeholder ? { backgroundImage: `url(${placeholder})` } : undefined}
        draggable={false}
        data-testid="image-viewer-photo"
      />
      <div className="image-viewer-bar">
        <button type="button" onClick={() => go(-1)} disabled={index === 0} aria-label="Previous photo">
          ‹
        </button>
        <span>
          {index + 1} / {images.length}
        </span>
        <button
          type="button"
          onClick={() => go(1)}
          disabled={index === images.length - 1}
          aria-label="Next photo"
        >
          ›
        </button>
        <button type="button" ref={close} onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
    </div>
  )
}
