import { describe, expect, it } from 'vitest'
import { memoryPresenceStore } from '../src/modules/presence/presence-store.ts'
import { awayAcrossDevices, instances } from './away.ts'
import { collect, emitAck, useServer } from './helpers.ts'

const server = useServer()

describe('presence away (one instance, a clock of the test)', () => {
  it('away after the threshold without activity on every device, online again at the next', async () => {
    const { eventId } = await server.createEvent('Away')
    const eve = await server.join(eventId, 'Eve')
    // One store shared by two services: two devices on the one instance.
    const store = memoryPresenceStore()
    const run = instances(server.app.db.prisma, [store, store])
    await awayAcrossDevices(run, eventId, eve.user.id)
    await run.close()
  })
})

describe('presence:activity', () => {
  it('is acked, and refuses a payload that is not an object', async () => {
    const { eventId } = await server.createEvent('Activity')
    const eve = await server.join(eventId, 'Eve')
    const socket = await server.connect({ token: eve.token })
    collect(socket)
    expect(await emitAck(socket, 'presence:activity', {})).toEqual({ ok: true, data: null })
    // Within the per-socket interval: acked, nothing written.
    expect(await emitAck(socket, 'presence:activity', {})).toEqual({ ok: true, data: null })
    const bad = await emitAck(socket, 'presence:activity', 'busy' as never)
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    socket.disconnect()
  })
})
