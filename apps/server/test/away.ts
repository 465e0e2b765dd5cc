import type { UserStatusEvent } from '@secura/shared'
import { expect } from 'vitest'
import type { PrismaClient } from '../src/db/prisma.ts'
import type { Publisher } from '../src/modules/ports.ts'
import { createPresenceService, type PresenceService } from '../src/modules/presence/presence.service.ts'
import type { PresenceStore } from '../src/modules/presence/presence-store.ts'

export const AWAY_MS = 5 * 60_000

/** A publisher that keeps every user:status it is asked to emit. */
export function statusRecorder() {
  const statuses: UserStatusEvent[] = []
  const publisher: Publisher = {
    emit(_rooms, event, payload) {
      if (event === 'user:status') statuses.push(payload as UserStatusEvent)
    },
    disconnect() {},
    leave() {},
  }
  return {
    publisher,
    statuses,
    of: (userId: string) => statuses.filter((s) => s.userId === userId).map((s) => s.status),
  }
}

/** Instances sharing one clock: a presence service per store, announcements recorded together. */
export function instances(prisma: PrismaClient, stores: PresenceStore[]) {
  let clock = 1_000_000
  const recorder = statusRecorder()
  const services = stores.map((store) =>
    createPresenceService({
      prisma,
      publisher: recorder.publisher,
      graceMs: 0,
      awayMs: AWAY_MS,
      store,
      now: () => clock,
    }),
  )
  return {
    services,
    recorder,
    advance(ms: number) {
      clock += ms
    },
    /** Every instance runs its away check at once, as their timers may. */
    checkAll: () => Promise.all(services.map((s) => s.checkAway())),
    close: () => Promise.all(services.map((s) => s.close())),
  }
}

/**
 * A user with a device on each instance: away only once no device has been active for AWAY_MS, announced
 * once however many instances check; back online at the next activity on any device, announced once.
 */
export async function awayAcrossDevices(
  run: ReturnType<typeof instances>,
  eventId: string,
  userId: string,
): Promise<void> {
  const [a, b] = run.services as [PresenceService, PresenceService]
  const status = async (svc: PresenceService) => (await svc.statuses(eventId, [userId]))[0]?.status

  await a.connected(userId)
  run.advance(AWAY_MS / 2)
  await b.connected(userId)
  run.advance(AWAY_MS / 2 + 1)
  await run.checkAll()
  // The device on B was opened half-way: not away yet.
  expect(run.recorder.of(userId)).toEqual(['online'])
  expect(await status(a)).toBe('online')

  run.advance(AWAY_MS / 2)
  await run.checkAll()
  await run.checkAll()
  expect(run.recorder.of(userId)).toEqual(['online', 'away'])
  expect(await status(a)).toBe('away')
  expect(await status(b)).toBe('away')
  expect((await a.present([userId])).has(userId)).toBe(false)

  // Back on either device: online once; more activity right after changes nothing.
  await b.activity(userId)
  await a.activity(userId)
  await run.checkAll()
  expect(run.recorder.of(userId)).toEqual(['online', 'away', 'online'])
  expect(await status(a)).toBe('online')
  expect((await b.present([userId])).has(userId)).toBe(true)

  // Activity keeps the user online however long they stay.
  for (let i = 0; i < 4; i++) {
    run.advance(AWAY_MS - 1000)
    await a.activity(userId)
    await run.checkAll()
  }
  expect(run.recorder.of(userId)).toEqual(['online', 'away', 'online'])

  // Away again, then offline: the away mark goes with the user.
  run.advance(AWAY_MS + 1)
  await run.checkAll()
  expect(run.recorder.of(userId)).toEqual(['online', 'away', 'online', 'away'])
  a.disconnected(userId, () => {})
  b.disconnected(userId, () => {})
  await expect.poll(() => run.recorder.of(userId).at(-1)).toBe('offline')
  expect(await status(a)).toBe('offline')
  await a.connected(userId)
  expect(await status(b)).toBe('online')
}
