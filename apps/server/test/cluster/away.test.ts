import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { redisPresenceStore } from '../../src/cluster/redis-presence-store.ts'
import { awayAcrossDevices, instances } from '../away.ts'
import { startServer, type TestServer } from '../helpers.ts'
import { type RedisServer, startRedis } from './harness.ts'

// Two instances' presence on one Redis, driven by one clock of the test: away is decided in Redis, so it
// is announced once however many instances check, and activity on either instance ends it.
let redis: RedisServer
let server: TestServer
const clients: Redis[] = []
beforeAll(async () => {
  redis = await startRedis()
  server = await startServer()
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await server?.close()
  await redis?.stop()
})

describe('presence away across instances', () => {
  it('away once on every instance, online again from either', async () => {
    const prefix = `away-${randomBytes(4).toString('hex')}:`
    const stores = ['a', 'b'].map((instanceId) => {
      const client = new Redis(redis.url)
      clients.push(client)
      return redisPresenceStore(client, {
        prefix,
        instanceId,
        graceMs: 0,
        failed: (error) => {
          throw error
        },
      })
    })
    const { eventId } = await server.createEvent('Away')
    const eve = await server.join(eventId, 'Eve')
    const run = instances(server.app.db.prisma, stores)
    await awayAcrossDevices(run, eventId, eve.user.id)
    await run.close()
  })
})
