import { type ReactNode, useEffect, useId, useRef } from 'react'
import { Icon } from '../Icon.tsx'

interface DialogProps {
  title: string
  onClose: () => void
  children: ReactNode
  testId?: string
}

/** A modal <dialog>: the browser traps focus and closes it on Escape; focus returns where it was. */
export function Dialog({ title, onClose, children, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (dialog && !dialog.open) dialog.showModal()
    return () => {
      dialog?.close()
      if (opener?.isConnected) opener.focus()
    }
  }, [])

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      // StrictMode closes and reopens on mount: only a close that sticks is the user's.
      onClose={() => {
        if (!ref.current?.open) onClose()
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  )
}
