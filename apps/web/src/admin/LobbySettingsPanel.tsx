import type { Event, EventSettingsBody } from '@secura/shared'
import { Notice } from '../components/Notice.tsx'
import { useAction } from '../hooks/useAction.ts'
import { useAppStore } from '../store/index.ts'

/** The lobby's settings (protocol §3.3): announcement-only, and whether moderators may announce. */
export function LobbySettingsPanel({ event }: { event: Event }) {
  const updateEventSettings = useAppStore((s) => s.updateEventSettings)
  // The answer replaces the event in the store: the switches show what the server holds.
  const [update, { pending, error }] = useAction((body: EventSettingsBody) =>
    updateEventSettings(event.id, body),
  )
  return (
    <section className="card stack" aria-labelledby="lobby-settings-title" data-testid="lobby-settings">
      <h2 id="lobby-settings-title">Lobby</h2>
      {error && <Notice tone="error">{error}</Notice>}
      <label className="switch-row">
        <input
          type="checkbox"
          data-testid="announcement-only"
          checked={event.announcementOnly === true}
          disabled={pending}
          onChange={(e) => void update({ announcementOnly: e.target.checked })}
        />
        <span>
          <strong>Announcements only</strong>
          <span className="hint">Guests read and react; organizers and moderators write.</span>
        </span>
      </label>
      <label className="switch-row">
        <input
          type="checkbox"
          data-testid="moderators-announce"
          checked={event.moderatorsAnnounce === true}
          disabled={pending}
          onChange={(e) => void update({ moderatorsAnnounce: e.target.checked })}
        />
        <span>
          <strong>Moderators may post announcements</strong>
          <span className="hint">Organizers always may. Announcements stay at the top of the lobby.</span>
        </span>
      </label>
    </section>
  )
}
