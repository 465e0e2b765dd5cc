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

/** The queue rule's tests: a bound of 50 ms, a target of 10 ms, and a queue from three sends. */
const STANDING = { maxInFlight: 100, maxQueueMs: 50, targetMs: 10, minQueue: 3 }

/** `n` sends admitted and held in flight; `finish()` answers them all and waits for them. */
function admitHeld(admission: ReturnType<typeof sendAdmission>, n: number) {
  const writes = Array.from({ length: n }, () => held())
  const running = writes.map((w) => admission.run(w.write))
  return {
    async finish() {
      for (const w of writes) w.finish()
      await Promise.all(running)
    },
  }
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

  it('a queue that stands for the whole bound is refused; a burst shorter than that is waited out', async () => {
    const { admission, refused, advance } = setup(STANDING)
    const queue = admitHeld(admission, 3)
    // The oldest has waited 40 ms, past the target, but the queue has stood for less than 50 ms: admitted.
    advance(40)
    const fourth = admitHeld(admission, 1)
    expect(admission.inFlight).toBe(4)
    // 60 ms: no send got through within 10 ms since the queue was last short, at 0 ms. Refused.
    advance(20)
    expect((await refusal(admission.run(async () => 'late')))?.code).toBe('UNAVAILABLE')
    expect(refused).toEqual(['standing_queue'])
    await queue.finish()
    await fourth.finish()

    // With fewer than minQueue in flight, age alone refuses nothing.
    const slow = admitHeld(admission, 2)
    advance(1000)
    expect(await admission.run(async () => 'alone')).toBe('alone')
    await slow.finish()
  })

  it('a send answered within the target means the queue does not stand, however old the oldest', async () => {
    const { admission, refused, advance } = setup(STANDING)
    // One conversation's sends held up (a lock), while others keep getting through quickly.
    const stuck = admitHeld(admission, 3)
    for (let i = 0; i < 10; i++) {
      advance(10)
      const quick = admitHeld(admission, 1)
      advance(2)
      await quick.finish()
    }
    expect(refused).toEqual([])
    await stuck.finish()
  })

  it('once refusing, holds the queue at the target: admits while the oldest is within it, stops after a quiet bound', async () => {
    const { admission, refused, advance } = setup(STANDING)
    const first = admitHeld(admission, 3)
    advance(60)
    expect((await refusal(admission.run(async () => 'late')))?.code).toBe('UNAVAILABLE')
    // The old ones answered; three new ones, and the oldest of them at 5 ms is within the target: admitted.
    await first.finish()
    const second = admitHeld(admission, 3)
    advance(5)
    const within = admitHeld(admission, 1)
    // Still refusing: at 12 ms the oldest is past the target, and no bound had to pass first.
    advance(7)
    expect((await refusal(admission.run(async () => 'over')))?.code).toBe('UNAVAILABLE')
    expect(refused).toEqual(['standing_queue', 'standing_queue'])
    // 60 ms with no refusal: refusing stops, and a queue must stand for a whole bound again.
    await second.finish()
    await within.finish()
    advance(60)
    const third = admitHeld(admission, 3)
    advance(20)
    expect(await admission.run(async () => 'burst')).toBe('burst')
    expect(refused).toHaveLength(2)
    await third.finish()
  })

  it('a write that fails leaves the count too, and its error passes through', async () => {
    const { admission } = setup({ maxInFlight: 1, maxQueueMs: 50 })
    const boom = new Error('database gone')
    await expect(admission.run(() => Promise.reject(boom))).rejects.toBe(boom)
    expect(admission.inFlight).toBe(0)
    expect(await admission.run(async () => 'next')).toBe('next')
  })
})
