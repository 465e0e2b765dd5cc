import './attachments.css'
import type { DraftFile } from '../../store/attachments.slice.ts'
import { useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'
import { formatBytes } from './attachments.ts'

const NONE: DraftFile[] = []

/** Above the input: the photos and files picked for the next message, each with a remove button. */
export function DraftTray({ conversationId }: { conversationId: string }) {
  const files = useAppStore((s) => s.attachmentDrafts[conversationId] ?? NONE)
  const remove = useAppStore((s) => s.removeDraftFile)
  if (files.length === 0) return null
  return (
    <ul className="attachment-tray" aria-label="Photos and files to send" data-testid="attachment-draft">
      {files.map((file) => (
        <li key={file.id} className="attachment-tray-item" data-testid="draft-file">
          {file.previewUrl ? (
            <img className="attachment-tray-thumb" src={file.previewUrl} alt={file.name} />
          ) : (
            <span className="attachment-tray-card">
              <span className="attachment-file-name">{file.name}</span>
              <span className="attachment-file-size">{formatBytes(file.blob.size)}</span>
            </span>
          )}
          <button
            type="button"
            className="attachment-tray-remove"
            aria-label={`Remove ${file.name}`}
            onClick={() => remove(conversationId, file.id)}
          >
            <Icon name="close" />
          </button>
        </li>
      ))}
    </ul>
  )
}
