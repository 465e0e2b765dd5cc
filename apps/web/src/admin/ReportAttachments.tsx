import type { Attachment, AttachmentVariant } from '@secura/shared'
import { useEffect, useState } from 'react'
import { attachmentUrl, formatBytes } from '../chat/attachments/attachments.ts'
import { useAppStore } from '../store/index.ts'

/**
 * The address of a served file for the console: the URL itself for a signed-in organizer or moderator (the
 * cookie goes along), a blob fetched with the admin token otherwise (an <img> cannot send a header).
 */
function useFileSource(attachment: Attachment, variant: AttachmentVariant): string | undefined {
  const token = useAppStore((s) => s.adminToken)
  const path = attachmentUrl(attachment, variant)
  const [blob, setBlob] = useState<string | undefined>(undefined)
  useEffect(() => {
    if (!token) return
    let current = true
    let url: string | undefined
    fetch(path, { headers: { authorization: `Bearer ${token}` } })
      .then((res) => (res.ok ? res.blob() : undefined))
      .then(
        (body) => {
          if (!current || !body) return
          url = URL.createObjectURL(body)
          setBlob(url)
        },
        () => undefined, // unreachable file: the name still shows, without a link
      )
    return () => {
      current = false
      if (url) URL.revokeObjectURL(url)
    }
  }, [path, token])
  return token ? blob : path
}

/** A reported message's photos (thumbnails, opening the display size) and files (downloads). */
export function ReportAttachments({ attachments }: { attachments: Attachment[] }) {
  return (
    <ul className="report-attachments" aria-label="Attachments">
      {attachments.map((a) => (
        <li key={a.id}>{a.kind === 'image' ? <ReportPhoto photo={a} /> : <ReportFile file={a} />}</li>
      ))}
    </ul>
  )
}

function ReportPhoto({ photo }: { photo: Attachment }) {
  const thumb = useFileSource(photo, 'thumb')
  const display = useFileSource(photo, 'display')
  const image = thumb ? (
    <img src={thumb} alt={photo.name} width={96} height={96} className="report-thumb" />
  ) : (
    <span className="report-thumb muted">{photo.name}</span>
  )
  return display ? (
    <a href={display} target="_blank" rel="noreferrer" title={`Open ${photo.name}`}>
      {image}
    </a>
  ) : (
    image
  )
}

function ReportFile({ file }: { file: Attachment }) {
  const source = useFileSource(file, 'file')
  const label = `📎 ${file.name} (${formatBytes(file.size)})`
  return source ? (
    <a href={source} download={file.name}>
      {label}
    </a>
  ) : (
    <span>{label}</span>
  )
}
