import { LIMITS } from '@secura/shared'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeServer } from './testing/fake-server.ts'
import { type Client, createClient, uniqueDb } from './testing/harness.ts'

const usersPath = /\/api\/chat\/users\?ids=/
const id = (n: number) => `1190a6c4-1f2e-7000-8000-${n.toString(16).padStart(12, '0')}`
/** Of another event, as far as the fake server goes. */
const stranger = '00000000-1f2e-7000-8000-000000000001'

describe('findUsers: names for ids', () => {
  const clients: Client[] = []
  async function started(db: string) {
    const c = createClient(new FakeServer(), { db })
    clients.push(c)
    await c.storage.start()
    return c
  }
  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  it('asks the server once for what the cache lacks, and leaves out who it does not name', async () => {
    const client = await started(uniqueDb())
    const first = await client.storage.findUsers([id(1), id(2), stranger, id(1)])
    expect(first.map((u) => u.displayName).sort()).toEqual([`Name of ${id(1)}`, `Name of ${id(2)}`])
    expect(client.http.count('GET', usersPath)).toBe(1)
    expect(client.snapshot().presence[id(1)]).toBe('online')

    const again = await client.storage.findUsers([id(2), id(3)])
    expect(again.map((u) => u.id).sort()).toEqual([id(2), id(3)])
    const asked = client.http.calls.filter((c) => usersPath.test(c.path)).map((c) => c.path)
    expect(asked[1]).toBe(`/api/chat/users?ids=${id(3)}`)
  })

  it('names from the cache after a reload while offline, and never rejects for lack of network', async () => {
    const db = uniqueDb()
    const online = await started(db)
    await online.storage.findUsers([id(1)])
    online.storage.stop()

    const offline = await started(db)
    offline.http.down = true
    const found = await offline.storage.findUsers([id(1), id(2)])
    expect(found).toEqual([{ id: id(1), displayName: `Name of ${id(1)}`, role: 'guest' }])
  })

  it('asks for at most a page of ids per request', async () => {
    const client = await started(uniqueDb())
    const many = Array.from({ length: LIMITS.pageMax + 5 }, (_, i) => id(i + 10))
    expect(await client.storage.findUsers(many)).toHaveLength(many.length)
    const asked = client.http.calls.filter((c) => usersPath.test(c.path))
    expect(asked.map((c) => new URL(c.path, 'http://x').searchParams.get('ids')!.split(',').length)).toEqual([
      LIMITS.pageMax,
      5,
    ])
  })
})
