import { useEffect, useId, useState } from 'react'
import { describeError } from '../../api/http.ts'
import { setQuietHours, useNotificationPreferences } from './preferences.ts'
import { currentSubscription, disablePush, enablePush, pushAvailable } from './webPush.ts'

const ownZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone

/** Notifications on this device (Web Push), and quiet hours for every device of the guest. */
export function NotificationSettings() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        className="button button-secondary button-small"
        aria-expanded={open}
        data-testid="notification-settings"
        onClick={() => setOpen(!open)}
      >
        Notifications
      </button>
      {open && (
        <div className="sign-out-confirm notification-settings" data-testid="notification-panel">
          <DevicePush />
          <QuietHoursForm />
        </div>
      )}
    </>
  )
}

function DevicePush() {
  const available = pushAvailable()
  const [on, setOn] = useState<boolean | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (!available) return
    currentSubscription()
      .then((s) => setOn(s !== null))
      .catch(() => setOn(false))
  }, [available])

  if (!available)
    return (
      <p className="muted" data-testid="push-unavailable">
        Over https, this device could also show notifications while the app is closed.
      </p>
    )
  const toggle = async (next: boolean) => {
    setBusy(true)
    setError(null)
    try {
      await (next ? enablePush() : disablePush())
      setOn(next)
    } catch (failure) {
      setError(failure instanceof Error && !('code' in failure) ? failure.message : describeError(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div>
      <label className="switch-row">
        <input
          type="checkbox"
          role="switch"
          aria-checked={on === true}
          checked={on === true}
          disabled={on === null || busy}
          data-testid="push-switch"
          onChange={(e) => void toggle(e.target.checked)}
        />{' '}
        Notifications on this device
      </label>
      <p className="muted">Direct messages and mentions, also while the app is closed.</p>
      {error && <p className="field-error">{error}</p>}
    </div>
  )
}

function QuietHoursForm() {
  const prefs = useNotificationPreferences()
  const saved = prefs?.quietHours ?? null
  const [enabled, setEnabled] = useState(saved !== null)
  const [start, setStart] = useState(saved?.start ?? '22:00')
  const [end, setEnd] = useState(saved?.end ?? '07:00')
  const [status, setStatus] = useState<string | null>(null)
  const id = useId()
  useEffect(() => {
    setEnabled(saved !== null)
    if (saved) {
      setStart(saved.start)
      setEnd(saved.end)
    }
  }, [saved])

  const save = async (event: React.FormEvent) => {
    event.preventDefault()
    setStatus(null)
    try {
      await setQuietHours(enabled ? { start, end, timeZone: ownZone() } : null)
      setStatus('Saved')
    } catch (failure) {
      setStatus(describeError(failure))
    }
  }
  return (
    <form className="quiet-hours" onSubmit={(e) => void save(e)} data-testid="quiet-hours">
      <label className="switch-row">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Quiet hours
      </label>
      {enabled && (
        <div className="quiet-hours-times">
          <label htmlFor={`${id}-start`}>From</label>
          <input
            id={`${id}-start`}
            type="time"
            required
            value={start}
            onChange={(e) => setStart(e.target.value)}
          />
          <label htmlFor={`${id}-end`}>to</label>
          <input id={`${id}-end`} type="time" required value={end} onChange={(e) => setEnd(e.target.value)} />
        </div>
      )}
      <p className="muted">
        No pushes in these hours ({saved?.timeZone ?? ownZone()} time), on every device.
      </p>
      <button type="submit" className="button button-small">
        Save
      </button>
      {status && <p role="status">{status}</p>}
    </form>
  )
}
