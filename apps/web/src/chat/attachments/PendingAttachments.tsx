import './attachments.css'
import type { LocalFile } from '@secura/chat-client'
import { useEffect, useState } from 'react'
import { chatClient, useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'
import { formatBytes } from './attachments.ts'

interface PendingAttachmentsProps {
  clientMessageId: string
  files: LocalFile[]
  failed: boolean
  onActionFailed: (error: unknown) => void
}

/** The photos and files of a message not sent yet, from the outbox's own bytes: progress and cancel each. */
export function PendingAttachments({
  clientMessageId,
  files,
  failed,
  onActionFailed,
}: PendingAttachmentsProps) {
  const uploads = useAppStore((s) => s.chat.uploads)
  const urls = usePreviewUrls(files)
  const remove = (file: LocalFile) =>
    chatClient().removeFile(clientMessageId, file.localId).catch(onActionFailed)
  return (
    <ul
      className="attachment-tray attachment-pending"
      aria-label="Photos and files"
      data-testid="pending-attachments"
    >
      {files.map((file) => {
        const progress = uploads[file.localId]
        const status = file.uploaded
          ? 'Uploaded'
          : failed
            ? 'Not sent'
            : progress === undefined
              ? 'Waiting to upload'
              : `Uploading, ${Math.round(progress * 100)}%`
        const url = urls[file.localId]
        return (
          <li key={file.localId} className="attachment-tray-item" data-testid="pending-file">
            {url ? (
              <img className="attachment-tray-thumb" src={url} alt={file.name} />
            ) : (
              <span className="attachment-tray-card">
                <span className="attachment-file-name">{file.name}</span>
                <span className="attachment-file-size">{formatBytes(file.size)}</span>
              </span>
            )}
            <progress
              className="attachment-progress"
              max={1}
              value={file.uploaded ? 1 : (progress ?? 0)}
              aria-label={`${file.name}: ${status}`}
              data-testid="upload-progress"
            />
            {!file.uploaded && (
              <button
                type="button"
                className="attachment-tray-remove"
                aria-label={failed ? `Remove ${file.name}` : `Cancel ${file.name}`}
                data-testid="cancel-upload"
                onClick={() => void remove(file)}
              >
                <Icon name="close" />
              </button>
            )}
          </li>
        )
      })}
    </ul>
  )
}

/** Object URLs of the images among `files`, made once each and revoked when they go. */
function usePreviewUrls(files: LocalFile[]): Record<string, string> {
  const [urls, setUrls] = useState<Record<string, string>>({})
  const key = files.map((f) => f.localId).join(',')
  // Made again only when the files change (their ids), not on every snapshot.
  useEffect(() => {
    const made: Record<string, string> = {}
    for (const f of files) if (f.type.startsWith('image/')) made[f.localId] = URL.createObjectURL(f.blob)
    setUrls(made)
    return () => {
      for (const url of Object.values(made)) URL.revokeObjectURL(url)
    }
  }, [key])
  return urls
}
