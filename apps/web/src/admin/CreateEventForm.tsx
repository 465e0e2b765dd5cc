import { LIMITS } from '@secura/shared'
import { type FormEvent, useState } from 'react'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'
import { localInputToIso } from './dates.ts'

/** A new event (with its lobby); it becomes the selected one. */
export function CreateEventForm() {
  const createEvent = useAppStore((s) => s.createEvent)
  const [name, setName] = useState('')
  const [startsAt, setStartsAt] = useState('')
  const [endsAt, setEndsAt] = useState('')
  const [create, { pending, error }] = useAction(createEvent)

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const start = localInputToIso(startsAt)
    const end = localInputToIso(endsAt)
    const created = await create({
      name: name.trim(),
      ...(start && { startsAt: start }),
      ...(end && { endsAt: end }),
    })
    if (created) {
      setName('')
      setStartsAt('')
      setEndsAt('')
    }
  }

  return (
    <section className="card" aria-labelledby="create-event-title">
      <h2 id="create-event-title">New event</h2>
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="event-name">Name</label>
          <input
            id="event-name"
            required
            maxLength={LIMITS.eventNameChars}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="event-starts">Starts (optional)</label>
            <input
              id="event-starts"
              type="datetime-local"
              value={startsAt}
              onChange={(e) => setStartsAt(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="event-ends">Ends (optional)</label>
            <input
              id="event-ends"
              type="datetime-local"
              min={startsAt || undefined}
              value={endsAt}
              onChange={(e) => setEndsAt(e.target.value)}
            />
          </div>
        </div>
        {error && <Notice tone="error">{error}</Notice>}
        <button type="submit" className="button" disabled={pending || !name.trim()}>
          {pending ? 'Creating…' : 'Create event'}
        </button>
      </form>
    </section>
  )
}
