import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import { type RefusalReason, sendAdmission } from './admission.ts'

/** A write that stays in flight until `finish()` is called. */
function held() {
  let finish!: () => void
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  return { write: () => done.then(() => 'stored'), finish }
}

function setup(limits: Parameters<typeof sendAdmission>[0]) {
  let clock = 0
  const refused: RefusalReason[] = []
  const admission = sendAdmission(limits, {
    now: () => clock,
    random: () => 0.5,
    onRefused: (r) => refused.push(r),
  })
  return { admission, refused, advance: (ms: number) => (clock += ms) }
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: AppError) => e,
  )

describe('send admission', () => {
  it('refuses beyond the in-flight bound with UNAVAILABLE and retryAfterMs, and admits again once one is answered', async () => {
    const { admission, refused } = setup({ maxInFlight: 2, maxQueueMs: 50 })
    const a = held()
    const b = held()
    const first = admission.run(a.write)
    const second = admission.run(b.write)
    expect(admission.inFlight).toBe(2)

    let called = false
    const error = await refusal(
      admission.run(async () => {
        called = true
      }),
    )
    expect(called).toBe(false)
    expect(error).toBeInstanceOf(AppError)
    expect(error!.toJSON()).toEqual({
      code: 'UNAVAILABLE',
      message: expect.any(String),
      retryAfterMs: 150, // max(100 ms, 2 × 50 ms) × (1 + 0.5)
      details: { reason: 'overloaded' },
    })
    expect(refused).toEqual(['in_flight'])

    a.finish()
    expect(await first).toBe('stored')
    expect(admission.inFlight).toBe(1)
    expect(await admission.run(async () => 'third')).toBe('third')
    b.finish()
    await second
    expect(admission.inFlight).toBe(0)
  })

  it('refuses while the oldest send in flight is older than the queue bound, once a queue has formed', async () => {
    const { admission, refused, advance } = setup({ maxInFlight: 100, maxQueueMs: 50, minQueue: 3 })
    const writes = [held(), held(), held()]
    const running = writes.map((w, i) => {
      if (i === 2) advance(40)
      return admission.run(w.write)
    })
    advance(20) // the oldest has waited 60 ms, the newest 20 ms
    expect((await refusal(admission.run(async () => 'late')))?.code).toBe('UNAVAILABLE')
    expect(refused).toEqual(['queue_age'])

    // The oldest is answered: the next oldest has waited 20 ms, so sends are admitted again.
    writes[0]!.finish()
    await running[0]
    expect(await admission.run(async () => 'now')).toBe('now')

    // With fewer than minQueue in flight, age alone refuses nothing.
    writes[1]!.finish()
    await running[1]
    advance(1000)
    expect(await admission.run(async () => 'alone')).toBe('alone')
    writes[2]!.finish()
    await running[2]
  })

  it('refuses while the sends in flight would take longer than the queue bound at the rate sends are answered', async () => {
    const { admission, refused, advance } = setup({ maxInFlight: 100, maxQueueMs: 50, minQueue: 3 })
    // One answered every 10 ms for 100 ms of sends in flight: 0.1 a millisecond, so 50 ms is 5 sends.
    for (let i = 0; i < 10; i++) {
      const w = held()
      const running = admission.run(w.write)
      advance(10)
      w.finish()
      await running
    }
    // A quiet second says nothing of the rate.
    advance(1000)
    const writes = Array.from({ length: 6 }, () => held())
    const running = writes.map((w) => {
      advance(1)
      return admission.run(w.write)
    })
    // Six in flight, none older than 6 ms: the seventh would wait about 60 ms.
    expect((await refusal(admission.run(async () => 'late')))?.code).toBe('UNAVAILABLE')
    expect(refused).toEqual(['expected_wait'])
    writes[0]!.finish()
    await running[0]
    expect(await admission.run(async () => 'fits')).toBe('fits')
    for (const w of writes) w.finish()
    await Promise.all(running)
  })

  it('a write that fails leaves the count too, and its error passes through', async () => {
    const { admission } = setup({ maxInFlight: 1, maxQueueMs: 50 })
    const boom = new Error('database gone')
    await expect(admission.run(() => Promise.reject(boom))).rejects.toBe(boom)
    expect(admission.inFlight).toBe(0)
    expect(await admission.run(async () => 'next')).toBe('next')
  })
})
