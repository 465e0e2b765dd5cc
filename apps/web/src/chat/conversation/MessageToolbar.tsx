import { useCallback, useEffect, useRef, useState } from 'react'
import { Icon } from '../Icon.tsx'
import { EmojiPicker } from './EmojiPicker.tsx'
import { ReportForm } from './ReportForm.tsx'
import { useDismiss } from './useDismiss.ts'

interface MessageToolbarProps {
  canEdit: boolean
  canDelete: boolean
  onReact: (emoji: string) => void
  onReply: () => void
  onEdit: () => void
  onDelete: () => void
  /** Someone else's message: report it to the organizers. */
  onReport?: ((reason: string) => void) | undefined
  /** Whether it is pinned, for organizers and moderators (undefined: no pin button). */
  pinned?: boolean | undefined
  onPin?: (pinned: boolean) => void
}

type Open = 'none' | 'picker' | 'confirm-delete' | 'report'

/** What one can do with a sent message. Shown on hover, on focus, or when the message is tapped. */
export function MessageToolbar({
  canEdit,
  canDelete,
  onReact,
  onReply,
  onEdit,
  onDelete,
  onReport,
  pinned,
  onPin,
}: MessageToolbarProps) {
  const [open, setOpen] = useState<Open>('none')
  const ref = useRef<HTMLDivElement>(null)
  const reactButton = useRef<HTMLButtonElement>(null)
  const deleteButton = useRef<HTMLButtonElement>(null)
  const close = useCallback(() => {
    setOpen((current) => {
      if (current === 'picker') reactButton.current?.focus()
      if (current === 'confirm-delete') deleteButton.current?.focus()
      return 'none'
    })
  }, [])
  useDismiss(ref, open !== 'none', close)

  return (
    <div ref={ref} className={open === 'none' ? 'message-toolbar' : 'message-toolbar message-toolbar-open'}>
      <fieldset className="button-group message-toolbar-buttons">
        <legend className="sr-only">Message actions</legend>
        <button
          ref={reactButton}
          type="button"
          className="icon-button"
          aria-label="Add reaction"
          title="Add reaction"
          aria-expanded={open === 'picker'}
          data-testid="add-reaction"
          onClick={() => setOpen(open === 'picker' ? 'none' : 'picker')}
        >
          <Icon name="smile" />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="Reply"
          title="Reply"
          data-testid="reply-message"
          onClick={onReply}
        >
          <Icon name="reply" />
        </button>
        {pinned !== undefined && onPin && (
          <button
            type="button"
            className="icon-button"
            aria-label={pinned ? 'Unpin' : 'Pin'}
            title={pinned ? 'Unpin' : 'Pin to the conversation'}
            aria-pressed={pinned}
            data-testid="pin-message"
            onClick={() => onPin(!pinned)}
          >
            <Icon name="pin" />
          </button>
        )}
        {canEdit && (
          <button
            type="button"
            className="icon-button"
            aria-label="Edit"
            title="Edit"
            data-testid="edit-message"
            onClick={onEdit}
          >
            <Icon name="edit" />
          </button>
        )}
        {canDelete && (
          <button
            ref={deleteButton}
            type="button"
            className="icon-button icon-button-danger"
            aria-label="Delete"
            title="Delete"
            aria-expanded={open === 'confirm-delete'}
            data-testid="delete-message"
            onClick={() => setOpen(open === 'confirm-delete' ? 'none' : 'confirm-delete')}
          >
            <Icon name="trash" />
          </button>
        )}
        {onReport && (
          <button
            type="button"
            className="icon-button"
            aria-label="Report to the organizers"
            title="Report to the organizers"
            aria-expanded={open === 'report'}
            data-testid="report-message"
            onClick={() => setOpen(open === 'report' ? 'none' : 'report')}
          >
            <Icon name="flag" />
          </button>
        )}
      </fieldset>
      {open === 'report' && onReport && (
        <ReportForm
          onReport={(reason) => {
            setOpen('none')
            onReport(reason)
          }}
          onCancel={close}
        />
      )}
      {open === 'picker' && (
        <EmojiPicker
          onPick={(emoji) => {
            onReact(emoji)
            close()
          }}
        />
      )}
      {open === 'confirm-delete' && (
        <DeleteConfirm
          onConfirm={() => {
            setOpen('none')
            onDelete()
          }}
          onCancel={close}
        />
      )}
    </div>
  )
}

function DeleteConfirm({ onConfirm, onCancel }: { onConfirm: () => void; onCancel: () => void }) {
  const confirm = useRef<HTMLButtonElement>(null)
  useEffect(() => confirm.current?.focus(), [])
  return (
    <fieldset className="button-group delete-confirm">
      <legend className="sr-only">Delete this message?</legend>
      <span aria-hidden="true">Delete for everyone?</span>
      <button
        type="button"
        className="button button-danger button-small"
        data-testid="confirm-delete"
        ref={confirm}
        onClick={onConfirm}
      >
        Delete
      </button>
      <button type="button" className="button button-secondary button-small" onClick={onCancel}>
        Cancel
      </button>
    </fieldset>
  )
}
