import { useEffect, useState } from 'react'
import { useAppStore } from '../../store/index.ts'

/**
 * Whether the event has ended: announced live (`event:ended`), or its scheduled `endsAt` has come — a timer
 * switches the app at that moment, without a reload (protocol §3.4).
 */
export function useEventEnded(): boolean {
  const announced = useAppStore((s) => s.chat.eventEndedAt)
  const scheduled = useAppStore((s) => (s.session.status === 'signed-in' ? s.session.event.endsAt : null))
  const endsAt = announced ?? scheduled
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!endsAt) return
    const wait = Date.parse(endsAt) - Date.now()
    if (wait <= 0) return
    // setTimeout holds at most ~24.8 days: an end further off is checked again then.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(wait + 50, 2 ** 31 - 1))
    return () => clearTimeout(timer)
  }, [endsAt, now])
  // An end announced live is already past when it arrives (the server's clock set it): read the clock now,
  // not only when the timer last ticked.
  return endsAt !== null && Date.parse(endsAt) <= Math.max(now, Date.now())
}
