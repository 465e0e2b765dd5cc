import { AppError } from '../../errors.ts'

export interface AdmissionLimits {
  /** Sends admitted and not yet answered by the database, at most. */
  maxInFlight: number
  /**
   * How long a queue may stand before new sends are refused: a queue stands while no send gets through it
   * within `targetMs`. A burst or a stall shorter than this is waited out, not refused.
   */
  maxQueueMs: number
  /**
   * The wait the queue is held to once sends are being refused: a new send is then admitted only while the
   * oldest in flight has waited no longer than this. Default 20 ms, at most `maxQueueMs`.
   */
  targetMs?: number
  /**
   * Fewer sends in flight than this are never a queue: a few slow sends are the database's latency, not a
   * backlog, and refusing others would not make them faster.
   */
  minQueue?: number
}

export type RefusalReason = 'in_flight' | 'standing_queue'

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
 *
 * The queue rule is CoDel's (Nichols and Jacobson, "Controlling Queue Delay", 2012): a queue is harmful when
 * it stands, not when it is long for a moment. Refusing starts only once no send has got through within
 * `targetMs` for a whole `maxQueueMs`; from then on the queue is held near `targetMs` (a send is admitted
 * while the oldest in flight has waited no longer), and refusing stops once `maxQueueMs` passes with no
 * send refused. So a burst is absorbed whole, and a lasting overload keeps what is accepted answered in
 * about `targetMs` plus one write.
 */
export function sendAdmission(limits: AdmissionLimits, options: AdmissionOptions = {}) {
  const { onRefused, now = () => performance.now(), random = Math.random } = options
  const minQueue = limits.minQueue ?? 32
  const targetMs = Math.min(limits.targetMs ?? 20, limits.maxQueueMs)
  // Admission times by ticket: a Map iterates in insertion order, so its first entry is the oldest in flight.
  const inFlight = new Map<number, number>()
  let nextTicket = 0
  /** The last moment the queue was seen short: fewer than minQueue, or the oldest within targetMs. */
  let shortAt = now()
  let refusing = false
  let lastRefusal = Number.NEGATIVE_INFINITY

  const isShort = (at: number): boolean => {
    if (inFlight.size < minQueue) return true
    for (const since of inFlight.values()) return at - since <= targetMs
    return true
  }

  function refusal(at: number): RefusalReason | undefined {
    if (inFlight.size >= limits.maxInFlight) return 'in_flight'
    if (refusing && at - lastRefusal > limits.maxQueueMs) refusing = false
    if (isShort(at)) {
      shortAt = at
      return undefined
    }
    if (!refusing && at - shortAt < limits.maxQueueMs) return undefined
    refusing = true
    lastRefusal = at
    return 'standing_queue'
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
        const done = now()
        inFlight.delete(ticket)
        // A send through within the target, or what is left short: the queue does not stand.
        if (done - at <= targetMs || isShort(done)) shortAt = done
      }
    },
  }
}

export type SendAdmission = ReturnType<typeof sendAdmission>
