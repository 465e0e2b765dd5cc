import './attachments.css'
import type { Attachment } from '@secura/shared'
import { useState } from 'react'
import { attachmentUrl, blurhashUrl, formatBytes } from './attachments.ts'
import { ImageViewer } from './ImageViewer.tsx'

/** A message's photos as thumbnails (over their blurhash while they load) and its files as cards. */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const images = attachments.filter((a) => a.kind === 'image')
  const files = attachments.filter((a) => a.kind === 'file')
  const [open, setOpen] = useState<number | null>(null)
  return (
    <div className="attachments" data-testid="attachments">
      {images.length > 0 && (
        <div className={images.length === 1 ? 'attachment-grid attachment-grid-one' : 'attachment-grid'}>
          {images.map((image, index) => {
            const placeholder = blurhashUrl(image.blurhash)
            return (
              <button
                key={image.id}
                type="button"
                className="attachment-thumb"
                style={{
                  aspectRatio: `${image.width ?? 1} / ${image.height ?? 1}`,
                  ...(placeholder && { backgroundImage: `url(${placeholder})` }),
                }}
                onClick={() => setOpen(index)}
                aria-label={`Open photo ${index + 1} of ${images.length}`}
              >
                <img
                  src={attachmentUrl(image, 'thumb')}
                  alt=""
                  loading="lazy"
                  width={image.width ?? undefined}
                  height={image.height ?? undefined}
                  data-testid="attachment-thumb"
                />
              </button>
            )
          })}
        </div>
      )}
      {files.map((file) => (
        <a
          key={file.id}
          className="attachment-file"
          href={attachmentUrl(file, 'file')}
          download={file.name}
          data-testid="attachment-file"
        >
          <span className="attachment-file-name">{file.name}</span>
          <span className="attachment-file-size">
            {file.mime === 'application/pdf' ? 'PDF' : 'Text'} · {formatBytes(file.size)}
          </span>
        </a>
      ))}
      {open !== null && <ImageViewer images={images} start={open} onClose={() => setOpen(null)} />}
    </div>
  )
}
