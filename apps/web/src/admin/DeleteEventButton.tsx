import type { Event } from '@secura/shared'
import { useId, useState } from 'react'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'

/** The danger zone: erasing the event with everything in it, once its name is typed to confirm. */
export function DeleteEventButton({ event }: { event: Event }) {
  const deleteEvent = useAppStore((s) => s.deleteEvent)
  const [run, { pending, error }] = useAction(deleteEvent)
  const [typed, setTyped] = useState('')
  const id = useId()
  // Typing the name, not clicking OK, is what stops a slip from erasing a live event.
  const confirmed = typed.trim() === event.name.trim()

  return (
    <section className="danger-zone" aria-labelledby={`${id}-title`} data-testid="danger-zone">
      <h3 id={`${id}-title`}>Danger zone</h3>
      <p className="hint">
        Deleting “{event.name}” signs every guest out and erases every message. It cannot be undone.
      </p>
      <label htmlFor={id}>Type the event's name to confirm</label>
      <input id={id} autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
      {error && <Notice tone="error">{error}</Notice>}
      <button
        type="button"
        className="button button-danger"
        disabled={pending || !confirmed}
        onClick={() => void run(event.id)}
      >
        {pending ? 'Deleting…' : 'Delete this event'}
      </button>
    </section>
  )
}
