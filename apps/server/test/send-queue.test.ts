// Sends batched into one statement (modules/messages/send-queue.ts), on the real store: the rows, seqs and
// answers must be exactly those of one statement per send.
import fc from 'fast-check'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import { describe, expect, it } from 'vitest'
import { isUniqueViolation } from '../src/errors.ts'
import type { Viewer } from '../src/modules/access.ts'
import { type NewMessage, sendQueue } from '../src/modules/messages/send-queue.ts'
import { createMessageStore, type MessageStore } from '../src/modules/messages/store.ts'
import { chatApi, joinAll, onPostgres, useServer } from './helpers.ts'

const server = useServer({ LIMIT_JOINS_PER_MIN: '100000' })

/**
 * The real store, counting the batched statements, the group commits and the single sends. A single send to
 * a conversation in `held` waits until it is released, as if another transaction held its row.
 */
function countingStore() {
  const store = createMessageStore(server.app.db.prisma)
  const batches: number[] = []
  const groups: number[] = []
  const held = new Map<string, Promise<void>>()
  let singles = 0
  const counted: MessageStore = {
    ...store,
    async insert(viewer, m) {
      singles++
      await held.get(m.conversationId)
      return store.insert(viewer, m)
    },
    insertMany(items) {
      batches.push(items.length)
      return store.insertMany(items)
    },
    insertGroup(items) {
      groups.push(items.length)
      return store.insertGroup(items)
    },
  }
  return {
    store: counted,
    batches,
    groups,
    /** Holds single sends to the conversation until the returned function is called. */
    hold(conversationId: string): () => void {
      let release = () => {}
      held.set(conversationId, new Promise<void>((r) => (release = r)))
      return () => {
        held.delete(conversationId)
        release()
      }
    },
    get singles() {
      return singles
    },
  }
}

async function world(guests = 4) {
  const { eventId, lobbyId } = await server.createEvent('Batch')
  const joined = await joinAll(server, eventId, ...Array.from({ length: guests }, (_, i) => `G${i}`))
  const viewers: Viewer[] = joined.map((g) => ({ id: g.user.id, eventId, role: g.user.role }))
  const group = await chatApi(server, joined[0]!.token).post('/conversations', {
    kind: 'group',
    title: 'Two of us',
    userIds: [joined[1]!.user.id],
  })
  return { eventId, lobbyId, groupId: group.body.id as string, viewers }
}

const message = (viewer: Viewer, conversationId: string, clientMessageId = uuidv7()): NewMessage => ({
  viewer,
  id: uuidv7(),
  conversationId,
  clientMessageId,
  content: `from ${viewer.id.slice(0, 8)}`,
  replyToId: null,
})

const stored = (conversationId: string) =>
  server.app.db.sql.query<{
    id: string
    seq: number
    rev: number
    senderId: string
    clientMessageId: string
  }>(
    // Sent messages only: a group starts with the server's "created" line (seq 1).
    `SELECT id, seq, rev, "senderId", "clientMessageId" FROM "Message"
     WHERE "conversationId" = $1 AND kind = 'user' ORDER BY seq`,
    [conversationId],
  )

describe('send queue', () => {
  it('sends that arrive together share statements: seqs without gaps, each sender in order, one row each', async () => {
    const { lobbyId, groupId, viewers } = await world()
    const { store, batches } = countingStore()
    // One writer, so that both conversations share the statements.
    const queue = sendQueue(store, { writers: 1 })
    const sends = Array.from({ length: 120 }, (_, i) =>
      message(viewers[i % 4]!, i % 3 === 0 && i % 4 < 2 ? groupId : lobbyId),
    )
    const rows = await Promise.all(sends.map((m) => queue.insert(m)))

    // Queued in one turn: they go in batches of at most 100.
    expect(batches).toEqual([100, 20])
    expect(rows.every((r) => r !== undefined)).toBe(true)
    expect(rows.map((r) => r!.id)).toEqual(sends.map((m) => m.id))

    for (const conversationId of [lobbyId, groupId]) {
      const inIt = sends.filter((m) => m.conversationId === conversationId)
      const table = await stored(conversationId)
      // The group's seq 1 and rev 1 are its "created" line.
      const after = conversationId === groupId ? 1 : 0
      expect(table.map((r) => r.seq)).toEqual(inIt.map((_, i) => after + i + 1))
      expect(table.map((r) => r.rev)).toEqual(inIt.map((_, i) => after + i + 1))
      // Stored in the order they came, so every sender's messages are in order too.
      expect(table.map((r) => r.id)).toEqual(inIt.map((m) => m.id))
    }
    // The answers carry what the broadcast needs.
    const groupRow = rows.find((r) => r!.conversationId === groupId)!
    expect(groupRow.kind).toBe('group')
    expect(groupRow.recipients).toHaveLength(1)
    expect(rows.find((r) => r!.conversationId === lobbyId)!).toMatchObject({
      kind: 'event',
      recipients: null,
    })
  })

  it('fewer than six waiting go in one transaction (group commit), in the order they came; six or more in one statement', async () => {
    const { lobbyId, groupId, viewers } = await world()
    const counting = countingStore()
    const queue = sendQueue(counting.store, { writers: 1, groupCommit: true })
    const first = await queue.insert(message(viewers[0]!, lobbyId))
    expect(first?.seq).toBe(1)
    expect(counting.singles).toBe(1)

    const few = Array.from({ length: 5 }, (_, i) => message(viewers[i % 4]!, i === 1 ? groupId : lobbyId))
    const fewRows = await Promise.all(few.map((m) => queue.insert(m)))
    expect(counting.groups).toEqual([5])
    expect(counting.batches).toEqual([])
    expect(fewRows.map((r) => r?.seq)).toEqual([2, 2, 3, 4, 5]) // the group's seq 1 is its "created" line
    expect(fewRows.map((r) => r?.id)).toEqual(few.map((m) => m.id))

    const six = Array.from({ length: 6 }, (_, i) => message(viewers[i % 4]!, lobbyId))
    const sixRows = await Promise.all(six.map((m) => queue.insert(m)))
    expect(counting.batches).toEqual([6])
    expect(sixRows.map((r) => r?.seq)).toEqual([6, 7, 8, 9, 10, 11])
    const inLobby = [first, ...fewRows, ...sixRows].filter((r) => r?.conversationId === lobbyId)
    expect((await stored(lobbyId)).map((r) => r.id)).toEqual(inLobby.map((r) => r!.id))
  })

  it('without group commit (the default), fewer than six waiting go one statement each', async () => {
    const { lobbyId, viewers } = await world()
    const counting = countingStore()
    const queue = sendQueue(counting.store, { writers: 1 })
    const few = Array.from({ length: 5 }, (_, i) => message(viewers[i % 4]!, lobbyId))
    const rows = await Promise.all(few.map((m) => queue.insert(m)))
    expect(counting.groups).toEqual([])
    expect(counting.singles).toBe(5)
    expect(rows.map((r) => r?.seq)).toEqual([1, 2, 3, 4, 5])
  })

  it('group commit: a replay, a copy of the same send and a stranger write nothing; the rest are stored, seqs without gaps', async () => {
    const { lobbyId, groupId, viewers } = await world()
    const [a, b, c] = viewers as [Viewer, Viewer, Viewer]
    const counting = countingStore()
    const queue = sendQueue(counting.store, { writers: 1, groupCommit: true })
    expect((await queue.insert(message(a, lobbyId, 'stored-before')))?.seq).toBe(1)
    const group = [
      message(b, lobbyId),
      message(a, lobbyId, 'stored-before'), // a replay: fails the transaction, then each goes alone
      message(c, groupId), // not a member of the group
      message(b, lobbyId),
    ]
    const answers = await Promise.allSettled(group.map((m) => queue.insert(m)))
    expect(counting.groups).toEqual([4])
    expect(answers[0]).toMatchObject({ status: 'fulfilled', value: { seq: 2 } })
    expect(answers[1]!.status).toBe('rejected')
    expect(isUniqueViolation((answers[1] as PromiseRejectedResult).reason)).toBe(true)
    expect(answers[2]).toMatchObject({ status: 'fulfilled', value: undefined })
    expect(answers[3]).toMatchObject({ status: 'fulfilled', value: { seq: 3 } })
    expect((await stored(lobbyId)).map((r) => r.seq)).toEqual([1, 2, 3])
    expect(await stored(groupId)).toEqual([])
  })

  it('in one batch: a replay, a copy of the same send and a stranger write nothing; the rest are stored', async () => {
    const { lobbyId, groupId, viewers } = await world()
    const [a, b, c] = viewers as [Viewer, Viewer, Viewer]
    const { store, batches } = countingStore()
    const queue = sendQueue(store, { writers: 1 })
    const earlier = await queue.insert(message(a, lobbyId, 'already-stored'))
    expect(earlier?.seq).toBe(1)

    const first = queue.insert(message(b, lobbyId))
    const batch = [
      message(a, lobbyId, 'already-stored'), // a replay of a stored message
      message(b, lobbyId, 'twice'),
      message(b, lobbyId, 'twice'), // the same send again (socket and HTTP at once)
      message(c, groupId), // not a member of the group
      message(a, groupId),
      message(c, lobbyId),
    ]
    const answers = await Promise.all([first, ...batch.map((m) => queue.insert(m))])
    // Queued in the same turn of the event loop: one statement for all seven.
    expect(batches).toEqual([batch.length + 1])
    // The group's seq 1 is its "created" line.
    expect(answers.map((r) => r?.seq)).toEqual([2, undefined, 3, undefined, undefined, 2, 4])

    expect((await stored(lobbyId)).map((r) => [r.seq, r.clientMessageId])).toEqual([
      [1, 'already-stored'],
      [2, answers[0]!.clientMessageId],
      [3, 'twice'],
      [4, batch[5]!.clientMessageId],
    ])
    expect((await stored(groupId)).map((r) => r.senderId)).toEqual([a.id])
  })

  it.skipIf(!onPostgres)(
    "a send waiting on its conversation's lock holds up only that conversation",
    async () => {
      const { lobbyId, groupId, viewers } = await world(2)
      const [a, b] = viewers as [Viewer, Viewer]
      const queue = sendQueue(countingStore().store)
      const other = new pg.Client({ connectionString: server.app.config.databaseUrl })
      await other.connect()
      try {
        // Another transaction holds the group's row: a send to the group waits for it.
        await other.query('BEGIN')
        await other.query('UPDATE "Conversation" SET title = title WHERE id = $1', [groupId])
        let groupDone = false
        const toGroup = queue.insert(message(a, groupId)).finally(() => {
          groupDone = true
        })
        await new Promise((r) => setTimeout(r, 100))
        // The lobby's sends go on meanwhile, on another writer.
        const toLobby = await Promise.all(
          [message(b, lobbyId), message(a, lobbyId)].map((m) => queue.insert(m)),
        )
        expect(toLobby.map((r) => r?.seq)).toEqual([1, 2])
        expect(groupDone).toBe(false)
        await other.query('COMMIT')
        expect((await toGroup)?.seq).toBe(2) // the group's seq 1 is its "created" line
      } finally {
        await other.end()
      }
    },
  )

  it('while the single writes are busy, sends wait and go together as one batch across conversations', async () => {
    const { lobbyId, groupId, viewers } = await world()
    const [a, b, c] = viewers as [Viewer, Viewer, Viewer]
    const counting = countingStore()
    const queue = sendQueue(counting.store, { writers: 4, singles: 1 })
    const release = counting.hold(groupId)
    // The one single write is taken, by a send that cannot finish yet.
    const held = queue.insert(message(a, groupId))
    await new Promise((r) => setTimeout(r, 50))
    // Three to the lobby: too few for a batch, and no single write free, so they wait.
    const first = [message(a, lobbyId), message(b, lobbyId), message(c, lobbyId)]
    const firstRows = first.map((m) => queue.insert(m))
    let answered = 0
    for (const row of firstRows) void row.then(() => answered++)
    await new Promise((r) => setTimeout(r, 100))
    expect(answered).toBe(0)
    // Three more: six waiting, which go as one statement while the group's send still waits, and a later
    // send to the group waits behind the held one (its conversation is in flight).
    const later = queue.insert(message(b, groupId))
    const second = [message(c, lobbyId), message(a, lobbyId), message(b, lobbyId)]
    const rows = await Promise.all([...firstRows, ...second.map((m) => queue.insert(m))])
    expect(counting.batches).toEqual([6])
    expect(rows.map((r) => r?.seq)).toEqual([1, 2, 3, 4, 5, 6])
    release()
    expect([(await held)?.seq, (await later)?.seq]).toEqual([2, 3])
    expect(counting.singles).toBe(2)
    expect((await stored(lobbyId)).map((r) => r.id)).toEqual(rows.map((r) => r!.id))
  })

  it('a finished write frees its writer before its sends are answered: the next write is already on its way', async () => {
    const { groupId, viewers } = await world()
    const [a, b] = viewers as [Viewer, Viewer]
    const counting = countingStore()
    const queue = sendQueue(counting.store, { writers: 1, singles: 1 })
    const release = counting.hold(groupId)
    const first = queue.insert(message(a, groupId))
    const second = queue.insert(message(b, groupId))
    await new Promise((r) => setTimeout(r, 50))
    expect(counting.singles).toBe(1)
    // Where the chat acks and broadcasts the first send, the second's write must have started: the database
    // writes it while the server answers the first, instead of waiting for the answers.
    const startedBeforeAnswer = first.then(() => counting.singles)
    release()
    expect(await startedBeforeAnswer).toBe(2)
    expect([(await first)?.seq, (await second)?.seq]).toEqual([2, 3])
  })

  it('any arrivals, at any pace: each conversation stored in the order sent, seqs without gaps, each send answered once', async () => {
    const { eventId, lobbyId, groupId, viewers } = await world()
    const owner = viewers[0]!
    // Six conversations the owner belongs to: the lobby, the group and four more groups.
    const conversations = [lobbyId, groupId]
    for (let i = 0; i < 4; i++) {
      const created = await server.app.db.prisma.conversation.create({
        data: {
          id: uuidv7(),
          eventId,
          kind: 'group',
          title: `P${i}`,
          members: { create: [{ userId: owner.id }] },
        },
      })
      conversations.push(created.id)
    }
    const counting = countingStore()
    const queue = sendQueue(counting.store, { writers: 3, singles: 2 })
    const sent = new Map<string, string[]>(conversations.map((c) => [c, []]))
    const answers: Promise<unknown>[] = []
    await fc.assert(
      fc.asyncProperty(
        // Bursts of sends, each burst in one turn of the event loop, a pause of 0-3 ms between them.
        fc.array(fc.tuple(fc.array(fc.nat(conversations.length - 1), { maxLength: 14 }), fc.nat(3)), {
          maxLength: 12,
        }),
        async (bursts) => {
          for (const [burst, pause] of bursts) {
            for (const index of burst) {
              const m = message(owner, conversations[index]!)
              sent.get(m.conversationId)!.push(m.id)
              answers.push(queue.insert(m).then((row) => expect(row?.id).toBe(m.id)))
            }
            await new Promise((r) => setTimeout(r, pause))
          }
        },
      ),
      { numRuns: 12 },
    )
    await Promise.all(answers)
    expect(counting.singles).toBeGreaterThan(0)
    for (const c of conversations) {
      const table = await stored(c)
      expect(table.map((r) => r.id)).toEqual(sent.get(c))
      const first = table[0]?.seq ?? 0
      expect(table.map((r) => r.seq)).toEqual(table.map((_, i) => first + i))
    }
  })

  it.skipIf(!onPostgres)(
    'a send stored by another instance meanwhile fails the batch; each then goes alone, and only it is refused',
    async () => {
      const { lobbyId, groupId, viewers } = await world()
      const [a, b] = viewers as [Viewer, Viewer]
      const { store, batches } = countingStore()
      const queue = sendQueue(store)
      // "Another instance": a transaction that stores a's message 'raced' (in the group) and has not committed.
      const other = new pg.Client({ connectionString: server.app.config.databaseUrl })
      await other.connect()
      try {
        await other.query('BEGIN')
        await other.query(
          `WITH c AS (UPDATE "Conversation" SET "lastSeq" = "lastSeq" + 1, "lastRev" = "lastRev" + 1 WHERE id = $1 RETURNING "lastSeq")
           INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content)
           SELECT $2, $1, c."lastSeq", c."lastSeq", $3, 'raced', 'from the other instance' FROM c`,
          [groupId, uuidv7(), a.id],
        )
        // Six, so that they go as one batch.
        const sends = [
          message(b, lobbyId),
          message(a, lobbyId, 'raced'),
          ...Array.from({ length: 4 }, () => message(b, lobbyId)),
        ]
        const answers = Promise.allSettled(sends.map((m) => queue.insert(m)))
        // The batch now waits on the uncommitted key; the commit makes it a unique violation.
        await new Promise((r) => setTimeout(r, 200))
        await other.query('COMMIT')
        const [first, raced, ...rest] = await answers
        expect(batches).toEqual([6])
        expect(raced!.status).toBe('rejected')
        expect(isUniqueViolation((raced as PromiseRejectedResult).reason)).toBe(true)
        expect(first).toMatchObject({ status: 'fulfilled', value: { seq: 1 } })
        expect(rest.map((r) => r.status === 'fulfilled' && r.value?.seq)).toEqual([2, 3, 4, 5])
        expect((await stored(lobbyId)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
      } finally {
        await other.end()
      }
    },
  )
})
