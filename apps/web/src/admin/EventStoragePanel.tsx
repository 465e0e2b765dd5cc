import type { Event, EventStorage } from '@secura/shared'
import { useEffect, useState } from 'react'
import { describeError } from '../api/http.ts'
import { formatBytes } from '../chat/attachments/attachments.ts'
import { useAppStore } from '../store/index.ts'

/** What the event's photos and files take in storage: bytes, how many, and how many are not sent yet. */
export function EventStoragePanel({ event }: { event: Event }) {
  const eventStorage = useAppStore((s) => s.eventStorage)
  const [storage, setStorage] = useState<EventStorage | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    setStorage(null)
    setError(null)
    eventStorage(event.id).then(
      (answer) => current && setStorage(answer),
      (failure: unknown) => current && setError(describeError(failure)),
    )
    return () => {
      current = false
    }
  }, [eventStorage, event.id])

  return (
    <section className="card" aria-labelledby="storage-title" data-testid="event-storage">
      <h2 id="storage-title">Photos and files</h2>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!storage && !error && <p className="muted">Counting…</p>}
      {storage && (
        <p>
          <strong>{formatBytes(storage.bytes)}</strong> in {storage.files}{' '}
          {storage.files === 1 ? 'attachment' : 'attachments'}
          {storage.unsent > 0 && <span className="muted"> · {storage.unsent} uploaded, not sent yet</span>}
        </p>
      )}
    </section>
  )
}
