import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSocket, emitAck } from '../helpers.ts'
import { api, connect, createEvent, disconnectAll, join } from './clients.ts'
import {
  ADMIN_TOKEN,
  createDatabase,
  type Instance,
  redisCli,
  type SentinelSetup,
  startInstance,
  startSentinel,
} from './harness.ts'

const JOINS_PER_MIN = 4
let sentinel: SentinelSetup
let database: Awaited<ReturnType<typeof createDatabase>>
let a: Instance
let b: Instance

beforeAll(async () => {
  sentinel = await startSentinel('secura')
  database = await createDatabase()
  const env = {
    DATABASE_URL: database.url,
    REDIS_SENTINELS: `127.0.0.1:${sentinel.sentinelPort}`,
    REDIS_SENTINEL_NAME: sentinel.name,
    REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    LIMIT_JOINS_PER_MIN: String(JOINS_PER_MIN),
  }
  ;[a, b] = await Promise.all([startInstance('a', env), startInstance('b', env)])
})
afterAll(async () => {
  disconnectAll()
  for (const instance of [a, b]) {
    await instance?.stop('SIGKILL')
    if (instance) rmSync(instance.dataDir, { recursive: true, force: true })
  }
  await sentinel?.stop()
  await database?.drop()
})

/** A message sent on `from` reaches a client of the other instance, in a conversation both joined. */
async function crosses(
  sender: ClientSocket,
  receiver: ClientSocket,
  conversationId: string,
  content: string,
) {
  const arrived = new Promise<{ content: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${content}" did not arrive`)), 5000)
    const on = receiver as unknown as { on(e: string, f: (m: { content: string }) => void): void }
    // The sender's own copy of an earlier message may still be on its way: wait for this one.
    on.on('message:new', (message) => {
      if (message.content !== content) return
      clearTimeout(timer)
      resolve(message)
    })
  })
  const ack = await emitAck(sender, 'message:send', {
    conversationId,
    clientMessageId: crypto.randomUUID(),
    content,
  })
  expect(ack.ok).toBe(true)
  expect((await arrived).content).toBe(content)
}

describe('Redis through Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME)', () => {
  let eventId: string
  let lobbyId: string
  let anaOnA: ClientSocket
  let benOnB: ClientSocket

  it('both instances find the master through the sentinel and run in cluster mode', async () => {
    for (const instance of [a, b])
      expect(instance.logs.join('\n')).toContain('Redis connected (cluster mode)')
    // Their connections are on the master the sentinel names, not on the replica.
    expect(await sentinel.masterAddress()).toBe(`127.0.0.1:${sentinel.master.port}`)
    expect(await redisCli(sentinel.master.port, 'client', 'list')).toMatch(/name=secura:/)
    expect(await redisCli(sentinel.replicaPort, 'client', 'list')).not.toMatch(/name=secura:/)
  })

  it('pub/sub: a message sent on one instance reaches a client of the other', async () => {
    ;({ eventId, lobbyId } = await createEvent(a.url, 'Sentinel'))
    const ana = await join(a.url, eventId, 'Ana')
    const ben = await join(b.url, eventId, 'Ben')
    anaOnA = await connect(a.url, ana.token)
    benOnB = await connect(b.url, ben.token)
    for (const socket of [anaOnA, benOnB])
      expect((await emitAck(socket, 'conversation:join', { conversationId: lobbyId })).ok).toBe(true)
    await crosses(anaOnA, benOnB, lobbyId, 'through the sentinel’s master')
    await crosses(benOnB, anaOnA, lobbyId, 'and back')
  })

  it('a rate limit counts on both instances together (its buckets are in the master)', async () => {
    // Two guests joined above; the per-address limit of joins is shared by both instances.
    const statuses: number[] = []
    for (let n = 0; n < JOINS_PER_MIN; n++) {
      const base = n % 2 === 0 ? a.url : b.url
      const invite = await api(base, 'POST', `/api/events/${eventId}/invitations`, {
        token: ADMIN_TOKEN,
        body: {},
      })
      const res = await api(base, 'POST', '/api/auth/join', {
        body: { code: invite.body.code, displayName: `Guest ${n}` },
      })
      statuses.push(res.status)
      if (res.status !== 200) expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED' })
    }
    // Alone, each instance would have let two more of its own through.
    expect(statuses).toEqual([200, 200, 429, 429])
  })

  it('the master fails: the sentinel promotes the replica and both instances carry on with it', async () => {
    await sentinel.master.stop()
    const promoted = `127.0.0.1:${sentinel.replicaPort}`
    for (let i = 0; (await sentinel.masterAddress()) !== promoted; i++) {
      if (i > 300) throw new Error('the sentinel did not promote the replica')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // Until both instances have found the new master a broadcast may be dropped (rev sync repairs that
    // for clients): try again until one crosses each way.
    for (const [from, to] of [
      [anaOnA, benOnB],
      [benOnB, anaOnA],
    ] as const) {
      for (let attempt = 1; ; attempt++) {
        const done = await crosses(from, to, lobbyId, `after the failover ${attempt}`).then(
          () => true,
          (error) => {
            if (attempt >= 10) throw error
            return false
          },
        )
        if (done) break
      }
    }
    expect(await redisCli(sentinel.replicaPort, 'client', 'list')).toMatch(/name=secura:/)
  })
})
