import { AppError } from '../../errors.ts'

export interface AdmissionLimits {
  /** Sends admitted and not yet answered by the database, at most. */
  maxInFlight: number
  /** New sends are refused while the oldest send in flight has waited longer than this. */
  maxQueueMs: number
  /**
   * The age rule applies only from this many sends in flight: a few slow sends are the database's latency,
   * not a backlog, and refusing others would not make them faster.
   */
  minQueue?: number
}

export type RefusalReason = 'in_flight' | 'queue_age'

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

  function refusal(at: number): RefusalReason | undefined {
    if (inFlight.size >= limits.maxInFlight) return 'in_flight'
    if (inFlight.size >= minQueue && oldestAge(at) > limits.maxQueueMs) return 'queue_age'
    return undefined
  }

  return {
    get inFlight(): number {
      return inFlight.size
    },

    /** Runs `write` if the instance has room for another send; otherwise throws UNAVAILABLE with retryAfterMs. */
    async run<T>(write: () => Promise<T>): Promise<T> {
      const at = now()
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
        inFlight.delete(ticket)
      }
    },
  }
}

export type SendAdmission = ReturnType<typeof sendAdmission>
