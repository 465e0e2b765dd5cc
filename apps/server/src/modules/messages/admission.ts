import { AppError } from '../../errors.ts'

/** Time with sends in flight over which the rate they are answered at is measured. */
const RATE_WINDOW_MS = 100

export interface AdmissionLimits {
  /** Sends admitted and not yet answered by the database, at most. */
  maxInFlight: number
  /**
   * New sends are refused while the oldest send in flight has waited longer than this, or while a new one
   * would: while the sends in flight, at the rate sends have lately been answered, take longer than this.
   */
  maxQueueMs: number
  /**
   * The age rule applies only from this many sends in flight: a few slow sends are the database's latency,
   * not a backlog, and refusing others would not make them faster.
   */
  minQueue?: number
}

export type RefusalReason = 'in_flight' | 'queue_age' | 'expected_wait'

export interface AdmissionOptions {
  onRefused?: (reason: RefusalReason) => void
  now?: () => number
  random?: () => number
}

/**
 * Admission control for message sends on this instance. Beyond the bounds a new send is refused at once with
 * UNAVAILABLE and `retryAfterMs`, before it costs the database anything: the client's outbox keeps it and
 * tries again later, so nothing is lost, and what is accepted keeps a bounded latency instead of every send
 * waiting behind an ever longer queue.
 */
export function sendAdmission(limits: AdmissionLimits, options: AdmissionOptions = {}) {
  const { onRefused, now = () => performance.now(), random = Math.random } = options
  const minQueue = limits.minQueue ?? 32
  // Admission times by ticket: a Map iterates in insertion order, so its first entry is the oldest in flight.
  const inFlight = new Map<number, number>()
  let nextTicket = 0

  const oldestAge = (at: number): number => {
    for (const since of inFlight.values()) return at - since
    return 0
  }

  // The rate sends are answered at, per millisecond of time with sends in flight (an idle moment says nothing
  // of the rate), averaged over windows of RATE_WINDOW_MS of such time. Unknown until the first window ends.
  let answeredRate: number | undefined
  let busyMs = 0
  let answered = 0
  let lastEvent = now()
  const tick = (at: number) => {
    if (inFlight.size > 0) busyMs += at - lastEvent
    lastEvent = at
    if (busyMs < RATE_WINDOW_MS) return
    const rate = answered / busyMs
    answeredRate = answeredRate === undefined ? rate : (answeredRate + rate) / 2
    busyMs = 0
    answered = 0
  }

  function refusal(at: number): RefusalReason | undefined {
    if (inFlight.size >= limits.maxInFlight) return 'in_flight'
    if (inFlight.size < minQueue) return undefined
    // The age rule sees a backlog once it is old; the expected wait sees one as it forms, while the sends
    // arrive faster than they are answered, before any has waited long — so what is admitted is answered in
    // about maxQueueMs at most, whatever the rate offered.
    if (oldestAge(at) > limits.maxQueueMs) return 'queue_age'
    if (answeredRate !== undefined && inFlight.size > answeredRate * limits.maxQueueMs) return 'expected_wait'
    return undefined
  }

  return {
    get inFlight(): number {
      return inFlight.size
    },

    /** Runs `write` if the instance has room for another send; otherwise throws UNAVAILABLE with retryAfterMs. */
    async run<T>(write: () => Promise<T>): Promise<T> {
      const at = now()
      tick(at)
      const reason = refusal(at)
      if (reason) {
        onRefused?.(reason)
        // Spread over twice the queue bound (at least 100 ms), so the refused do not all come back at once.
        const base = Math.max(100, 2 * limits.maxQueueMs)
        throw new AppError(
          'UNAVAILABLE',
          'Too many messages are being sent right now; retry shortly',
          { reason: 'overloaded' },
          Math.round(base * (1 + random())),
        )
      }
      const ticket = nextTicket++
      inFlight.set(ticket, at)
      try {
        return await write()
      } finally {
        answered++
        tick(now())
        inFlight.delete(ticket)
      }
    },
  }
}

export type SendAdmission = ReturnType<typeof sendAdmission>
