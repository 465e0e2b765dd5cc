import type { JoinResponse, Message } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { chatApi, joinAll, useServer } from './helpers.ts'

const server = useServer({ LIMIT_SEND_PER_SEC: '1000', LIMIT_SEND_BURST: '1000' })

const as = (guest: JoinResponse) => chatApi(server, guest.token)

/** A direct conversation of Ana and Ben holding `count` messages (seq 1..count), and Cy, who is not in it. */
async function conversationWith(count: number) {
  const { eventId } = await server.createEvent()
  const [a, b, c] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cy')
  const direct = (await as(a!).post('/conversations', { kind: 'direct', userId: b!.user.id })).body
    .id as string
  const sent: Message[] = []
  for (let i = 1; i <= count; i++) sent.push((await as(i % 2 ? a! : b!).send(direct, `m${i}`)).body)
  return { direct, a: a!, b: b!, c: c!, sent }
}

describe('history around a message and forward from one', () => {
  it('?aroundSeq= returns the message with about half the page on each side, in seq order', async () => {
    const { direct, b } = await conversationWith(20)
    const page = async (query: string) => {
      const res = await as(b).get(`/conversations/${direct}/messages${query}`)
      expect(res.status, query).toBe(200)
      return [res.body.messages.map((m: Message) => m.seq), res.body.hasMore, res.body.hasNewer]
    }
    expect(await page('?aroundSeq=10&limit=5')).toEqual([[8, 9, 10, 11, 12], true, true])
    expect(await page('?aroundSeq=10&limit=4')).toEqual([[9, 10, 11, 12], true, true])
    expect(await page('?aroundSeq=10&limit=1')).toEqual([[10], true, true])
    // At the edges: what there is on the short side, nothing made up.
    expect(await page('?aroundSeq=1&limit=5')).toEqual([[1, 2, 3], false, true])
    expect(await page('?aroundSeq=3&limit=5')).toEqual([[1, 2, 3, 4, 5], false, true])
    expect(await page('?aroundSeq=20&limit=5')).toEqual([[18, 19, 20], true, false])
    expect(await page('?aroundSeq=18&limit=5')).toEqual([[16, 17, 18, 19, 20], true, false])
    // Past the end: the latest before that point.
    expect(await page('?aroundSeq=500&limit=5')).toEqual([[18, 19, 20], true, false])
    expect(await page('?aroundSeq=0&limit=5')).toEqual([[1, 2], false, true])
    // The default page: 50 → 24 before, the message, 25 after.
    expect(await page('?aroundSeq=10')).toEqual([Array.from({ length: 20 }, (_, i) => i + 1), false, false])
  })

  it('?aroundId= opens at a message by its id; one not in the conversation is NOT_FOUND', async () => {
    const { direct, b, c, sent } = await conversationWith(9)
    const res = await as(b).get(`/conversations/${direct}/messages?aroundId=${sent[4]!.id}&limit=3`)
    expect(res.status).toBe(200)
    expect(res.body.messages.map((m: Message) => m.id)).toEqual([sent[3]!.id, sent[4]!.id, sent[5]!.id])
    expect([res.body.hasMore, res.body.hasNewer]).toEqual([true, true])
    expect(res.body.messages[1]).toEqual(sent[4])

    const elsewhere = (await as(c).post('/conversations', { kind: 'direct', userId: b.user.id })).body
      .id as string
    const other = (await as(c).send(elsewhere, 'not here')).body as Message
    for (const id of [other.id, crypto.randomUUID()]) {
      const missing = await as(b).get(`/conversations/${direct}/messages?aroundId=${id}`)
      expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND'])
    }
  })

  it('?afterSeq= pages forward; hasMore and hasNewer say whether newer ones exist', async () => {
    const { direct, b } = await conversationWith(7)
    const page = async (query: string) => {
      const res = await as(b).get(`/conversations/${direct}/messages${query}`)
      return [res.body.messages.map((m: Message) => m.seq), res.body.hasMore, res.body.hasNewer]
    }
    expect(await page('?afterSeq=0&limit=3')).toEqual([[1, 2, 3], true, true])
    expect(await page('?afterSeq=3&limit=3')).toEqual([[4, 5, 6], true, true])
    expect(await page('?afterSeq=4&limit=3')).toEqual([[5, 6, 7], false, false])
    expect(await page('?afterSeq=6&limit=3')).toEqual([[7], false, false])
    expect(await page('?afterSeq=7')).toEqual([[], false, false])
    expect(await page('?afterSeq=900')).toEqual([[], false, false])
  })

  it('deleted messages come as tombstones, edits and reactions as they are now', async () => {
    const { direct, a, b, sent } = await conversationWith(5)
    await as(a).del(`/conversations/${direct}/messages/${sent[2]!.id}`)
    await as(b).put(`/conversations/${direct}/messages/${sent[3]!.id}`, { content: 'edited' })
    await as(a).post(`/conversations/${direct}/messages/${sent[1]!.id}/reaction`, { emoji: '🎉' })
    const around = (await as(b).get(`/conversations/${direct}/messages?aroundSeq=3&limit=3`)).body
    const history = (await as(b).get(`/conversations/${direct}/messages?beforeSeq=5&limit=3`)).body
    expect(around.messages).toEqual(history.messages)
    expect(around.messages[1]).toMatchObject({ seq: 3, content: '', deletedBy: a.user.id })
    expect(around.messages[1].deletedAt).toEqual(expect.any(String))
    expect(around.messages[2]).toMatchObject({ seq: 4, content: 'edited' })
    expect(around.messages[0].reactions).toEqual([{ emoji: '🎉', userIds: [a.user.id] }])
    const after = (await as(b).get(`/conversations/${direct}/messages?afterSeq=1&limit=3`)).body
    expect(after.messages).toEqual(history.messages)
  })

  it('a non-member gets NOT_FOUND, as for history; bad values and combinations are VALIDATION', async () => {
    const { direct, b, c } = await conversationWith(3)
    for (const query of [
      '?aroundSeq=2',
      '?afterSeq=0',
      `?aroundId=${crypto.randomUUID()}`,
      '?aroundSeq=900',
    ]) {
      const res = await as(c).get(`/conversations/${direct}/messages${query}`)
      expect([res.status, res.body.error.code], query).toEqual([404, 'NOT_FOUND'])
    }
    for (const query of [
      '?aroundSeq=-1',
      '?aroundSeq=x',
      // A fraction is refused, not truncated to the seq before it.
      '?aroundSeq=1.5',
      '?afterSeq=0.5',
      '?aroundSeq=2&limit=2.5',
      '?aroundSeq=2147483648',
      '?afterSeq=-3',
      '?aroundId=nope',
      '?aroundSeq=2&limit=0',
      '?afterSeq=1&limit=101',
      '?aroundSeq=2&beforeSeq=3',
      '?aroundSeq=2&afterSeq=1',
      '?afterSeq=1&beforeSeq=3',
      '?afterSeq=1&sinceRev=0',
      `?aroundSeq=2&aroundId=${crypto.randomUUID()}`,
    ]) {
      const res = await as(b).get(`/conversations/${direct}/messages${query}`)
      expect([res.status, res.body.error?.code], query).toEqual([400, 'VALIDATION'])
    }
  })
})
