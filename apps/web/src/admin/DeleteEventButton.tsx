import type { Event } from '@secura/shared'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'

/** Erases the event with everything in it, after the operator confirms. */
export function DeleteEventButton({ event }: { event: Event }) {
  const deleteEvent = useAppStore((s) => s.deleteEvent)
  const [run, { pending, error }] = useAction(deleteEvent)

  const confirmAndDelete = () => {
    const question = `Delete “${event.name}”? Its guests are signed out and every message is erased. This cannot be undone.`
    if (window.confirm(question)) void run(event.id)
  }

  return (
    <div className="danger-zone">
      {error && <Notice tone="error">{error}</Notice>}
      <button type="button" className="button button-danger" disabled={pending} onClick={confirmAndDelete}>
        {pending ? 'Deleting…' : 'Delete this event'}
      </button>
    </div>
  )
}
