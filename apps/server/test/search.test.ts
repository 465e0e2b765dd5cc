import type { JoinResponse, SearchHit, SearchResults } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import {
  SEARCH_CANDIDATES,
  SEARCH_MESSAGES,
  SEARCHABLE_CONVERSATIONS,
} from '../src/modules/search/statement.ts'
import { ADMIN_TOKEN, chatApi, joinAll, MANY_SENDS, useServer } from './helpers.ts'

/** GET /api/chat/search (protocol §4): full-text search over the messages a guest can see. */
const server = useServer({ ...MANY_SENDS, LIMIT_CHANGE_PER_SEC: '1000', LIMIT_CHANGE_BURST: '1000' })

const as = (guest: JoinResponse) => chatApi(server, guest.token)
const search = (guest: JoinResponse, query: Record<string, string | number>) =>
  as(guest).get<SearchResults>(`/search?${new URLSearchParams(stringify(query))}`)
const stringify = (query: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))
const found = async (guest: JoinResponse, q: string) => {
  const res = await search(guest, { q })
  expect(res.status).toBe(200)
  return res.body.hits.map((h) => h.messageId)
}
const text = (hit: SearchHit) => hit.snippet.map((s) => s.text).join('')
const marked = (hit: SearchHit) => hit.snippet.filter((s) => s.match).map((s) => s.text)

async function setup() {
  const { eventId, lobbyId } = await server.createEvent('Search Fest')
  const [ana, ben, cleo] = await joinAll(server, eventId, 'Ana', 'Ben', 'Cleo')
  const direct = (await as(ana).post('/conversations', { kind: 'direct', userId: ben.user.id })).body
    .id as string
  const send = async (guest: JoinResponse, conversationId: string, content: string) => {
    const res = await as(guest).send(conversationId, content)
    expect(res.status).toBe(201)
    return res.body.id as string
  }
  return { eventId, lobbyId, direct, ana, ben, cleo, send }
}

describe('search', () => {
  it('finds messages by their words, best match first, with sender, conversation and a marked snippet', async () => {
    const { lobbyId, ana, ben, send } = await setup()
    const once = await send(ana, lobbyId, 'The lighthouse tour starts at noon')
    const twice = await send(ben, lobbyId, 'Lighthouse, lighthouse! Everyone to the lighthouse pier')
    await send(ben, lobbyId, 'Nothing to see here')

    const res = await search(ana, { q: 'LIGHTHOUSE' })
    expect(res.status).toBe(200)
    expect(res.body.nextCursor).toBeNull()
    expect(res.body.hits.map((h) => h.messageId)).toEqual([twice, once])
    const [best] = res.body.hits
    expect(best).toEqual({
      messageId: twice,
      conversationId: lobbyId,
      conversationKind: 'event',
      conversationTitle: 'Search Fest',
      seq: 2,
      senderId: ben.user.id,
      senderName: 'Ben',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      editedAt: null,
      snippet: [
        { text: 'Lighthouse', match: true },
        { text: ', ' },
        { text: 'lighthouse', match: true },
        { text: '! Everyone to the ' },
        { text: 'lighthouse', match: true },
        { text: ' pier' },
      ],
    })
  })

  it('needs every word; the last one may be unfinished, the others are whole words', async () => {
    const { lobbyId, ana, send } = await setup()
    const conference = await send(ana, lobbyId, 'See you at the conference dinner')
    const confetti = await send(ana, lobbyId, 'Confetti at the dinner!')
    await send(ana, lobbyId, 'Conference room B')

    expect(await found(ana, 'dinner conf')).toEqual(expect.arrayContaining([conference, confetti]))
    expect(await found(ana, 'dinner conf')).toHaveLength(2)
    expect(await found(ana, 'conf dinner')).toEqual([])
    // A finished last word (a space after it) is a whole word too.
    expect(await found(ana, 'dinner conf ')).toEqual([])
    const [hit] = (await search(ana, { q: 'dinner confe' })).body.hits
    expect(marked(hit!)).toEqual(['conference', 'dinner'])
  })

  it('never finds a deleted message; an edited one by its new text only', async () => {
    const { lobbyId, ana, send } = await setup()
    const gone = await send(ana, lobbyId, 'secret password hunter2')
    const edited = await send(ana, lobbyId, 'meet at the fountain')
    expect((await as(ana).del(`/conversations/${lobbyId}/messages/${gone}`)).status).toBe(200)
    expect(
      (await as(ana).put(`/conversations/${lobbyId}/messages/${edited}`, { content: 'meet at the bridge' }))
        .status,
    ).toBe(200)

    expect(await found(ana, 'hunter2')).toEqual([])
    expect(await found(ana, 'password')).toEqual([])
    expect(await found(ana, 'fountain')).toEqual([])
    const res = await search(ana, { q: 'bridge' })
    expect(res.body.hits.map((h) => h.messageId)).toEqual([edited])
    expect(res.body.hits[0]!.editedAt).toEqual(expect.any(String))
    expect(text(res.body.hits[0]!)).toBe('meet at the bridge')
  })

  it('finds only what the searcher can see: the lobby, their directs and groups, never another event', async () => {
    const { eventId, lobbyId, direct, ana, ben, cleo, send } = await setup()
    const inLobby = await send(ana, lobbyId, 'walrus sighting in the lobby')
    const inDirect = await send(ana, direct, 'walrus sighting between us')
    const group = (
      await as(cleo).post('/conversations', { kind: 'group', title: 'Cleo & Ben', userIds: [ben.user.id] })
    ).body.id as string
    const inGroup = await send(cleo, group, 'walrus sighting in the group')
    const other = await server.createEvent('Elsewhere')
    const [stranger] = await joinAll(server, other.eventId, 'Stranger')
    await send(stranger, other.lobbyId, 'walrus sighting elsewhere')

    const sorted = (ids: string[]) => [...ids].sort()
    expect(sorted(await found(ana, 'walrus'))).toEqual(sorted([inLobby, inDirect]))
    expect(sorted(await found(ben, 'walrus'))).toEqual(sorted([inLobby, inDirect, inGroup]))
    expect(sorted(await found(cleo, 'walrus'))).toEqual(sorted([inLobby, inGroup]))
    expect(await found(stranger, 'walrus')).toHaveLength(1)
    const groupHit = (await search(ben, { q: 'group walrus' })).body.hits[0]
    expect(groupHit).toMatchObject({ conversationKind: 'group', conversationTitle: 'Cleo & Ben' })

    // Left the group: its messages are no longer found.
    expect((await as(ben).del(`/conversations/${group}/members`, { userIds: [ben.user.id] })).status).toBe(
      200,
    )
    expect(await found(ben, 'group')).toEqual([])

    // Filtered by conversation; one the searcher cannot see is NOT_FOUND, as its history is.
    const inOne = await search(ana, { q: 'walrus', conversationId: direct })
    expect(inOne.body.hits.map((h) => h.messageId)).toEqual([inDirect])
    for (const [q, conversationId] of [
      ['walrus', group],
      ['walrus', other.lobbyId],
      ['walrus', crypto.randomUUID()],
      ['&&', group],
    ] as const) {
      const res = await search(ana, { q, conversationId })
      expect(res.status).toBe(404)
      expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } })
    }

    // A removed guest finds nothing: their session no longer authenticates.
    const removed = await server.api('POST', `/api/events/${eventId}/guests/${cleo.user.id}/remove`, {
      token: ADMIN_TOKEN,
      body: {},
    })
    expect(removed.status).toBe(200)
    expect((await search(cleo, { q: 'walrus' })).status).toBe(401)
  })

  it('takes query syntax as separators: no operator, quote or backslash reaches the database', async () => {
    const { lobbyId, ana, send } = await setup()
    const id = await send(ana, lobbyId, "rock & roll (live) isn't over: don't stop")
    for (const q of [
      '&|!():*\'"\\',
      "'",
      '\\',
      ':*',
      '!',
      '<->',
      "rock' & 'roll",
      'rock:*A',
      '((((',
      "'roll'",
    ]) {
      const res = await search(ana, { q })
      expect(res.status, q).toBe(200)
    }
    expect((await search(ana, { q: '&|!():*\'"\\' })).body.hits).toEqual([])
    expect(await found(ana, "rock' & 'roll")).toEqual([id])
    expect(await found(ana, '!roll | (live)')).toEqual([id])
    expect(await found(ana, "isn't")).toEqual([id])
    expect(await found(ana, '%')).toEqual([])
    expect(await found(ana, '_')).toEqual([])
  })

  it('finds words of any script, case-insensitively', async () => {
    const { lobbyId, ana, send } = await setup()
    const greek = await send(ana, lobbyId, 'Καλημέρα από την Αθήνα')
    const japanese = await send(ana, lobbyId, '東京 で 会いましょう')
    const accents = await send(ana, lobbyId, 'Crème brûlée au Café')
    expect(await found(ana, 'καλημέρα')).toEqual([greek])
    expect(await found(ana, '東京')).toEqual([japanese])
    expect(await found(ana, 'CAFÉ')).toEqual([accents])
    expect(await found(ana, 'brû')).toEqual([accents])
  })

  it('shows a long message as a snippet around its first match', async () => {
    const { lobbyId, ana, send } = await setup()
    const long = `${'filler words here '.repeat(30)}the needle is somewhere ${'more padding text '.repeat(30)}`
    const id = await send(ana, lobbyId, long)
    const [hit] = (await search(ana, { q: 'needle' })).body.hits
    expect(hit!.messageId).toBe(id)
    const shown = text(hit!)
    expect(shown.startsWith('…')).toBe(true)
    expect(shown.endsWith('…')).toBe(true)
    expect(shown.length).toBeLessThanOrEqual(170)
    expect(marked(hit!)).toEqual(['needle'])
  })

  it('pages with a cursor and a limit, and refuses what is out of bounds', async () => {
    const { lobbyId, ana, send } = await setup()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await send(ana, lobbyId, `penguin parade number ${i}`))
    const first = await search(ana, { q: 'penguin', limit: 2 })
    expect(first.body.hits).toHaveLength(2)
    expect(first.body.nextCursor).toBe('2')
    const second = await search(ana, { q: 'penguin', limit: 2, cursor: first.body.nextCursor! })
    const third = await search(ana, { q: 'penguin', limit: 2, cursor: second.body.nextCursor! })
    expect(third.body.nextCursor).toBeNull()
    const all = [...first.body.hits, ...second.body.hits, ...third.body.hits].map((h) => h.messageId)
    // Equal rank: newest first.
    expect(all).toEqual([...ids].reverse())

    const refused: Record<string, string | number>[] = [
      { q: '' },
      { q: 'x'.repeat(201) },
      { q: 'penguin', limit: 0 },
      { q: 'penguin', limit: 51 },
      { q: 'penguin', cursor: '-1' },
      { q: 'penguin', cursor: 'abc' },
      { q: 'penguin', cursor: '501' },
      { q: 'penguin', conversationId: 'not-a-uuid' },
      { q: 'pen\u0000guin' },
    ]
    for (const query of refused) {
      const res = await search(ana, query)
      expect(res.status, JSON.stringify(query)).toBe(400)
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION' } })
    }
    const missing = await as(ana).get('/search')
    expect(missing.status).toBe(400)
    expect((await server.api('GET', '/api/chat/search?q=penguin')).status).toBe(401)
  })

  it('answers alike whichever plan finds the newest matches: all of them through the GIN index, or a walk newest first', async () => {
    const { eventId, lobbyId, direct, ana } = await setup()
    const other = await server.createEvent('Elsewhere')
    const [stranger] = await joinAll(server, other.eventId, 'Stranger')
    const total = SEARCH_CANDIDATES + 300
    const db = server.app.db.prisma
    // Written straight into the database, a second apart: message n holds "tulip" (n % 3) + 1 times, so the
    // rank and then the time order every result. Every tenth is deleted (its text kept, to test the flag).
    const bulk = (conversationId: string, senderId: string, from: number, count: number, deleted: boolean) =>
      db.$executeRawUnsafe(
        `WITH c AS (
           UPDATE "Conversation" SET "lastSeq" = "lastSeq" + $3, "lastRev" = "lastRev" + $3
           WHERE id = $1::uuid RETURNING id, "lastSeq" - $3 AS base
         )
         INSERT INTO "Message" (id, "conversationId", seq, rev, "senderId", "clientMessageId", content, "createdAt", "deletedAt")
         SELECT gen_random_uuid(), c.id, c.base + i, c.base + i, $2::uuid, 'bulk-' || ($4 + i),
                repeat('tulip ', (($4 + i) % 3) + 1) || 'number ' || ($4 + i),
                now() - make_interval(secs => 100000 - ($4 + i)),
                CASE WHEN $5 AND ($4 + i) % 10 = 0 THEN now() END
         FROM c, generate_series(1, $3) AS i`,
        conversationId,
        senderId,
        count,
        from,
        deleted,
      )
    await bulk(lobbyId, ana.user.id, 0, total - 100, true)
    await bulk(direct, ana.user.id, total - 100, 100, true)
    // Newer still, and never the viewer's: another event's lobby.
    await bulk(other.lobbyId, stranger.user.id, total, 200, false)
    await db.$executeRawUnsafe('ANALYZE "Message"')

    const expected = Array.from({ length: total }, (_, i) => i + 1)
      .filter((n) => n % 10 !== 0)
      .slice(-SEARCH_CANDIDATES)
      .sort((a, b) => (b % 3) - (a % 3) || b - a)
      .map((n) => `number ${n}`)
    // Each plan forced in a transaction that is rolled back: for the GIN index alone, the conversation
    // indexes (a bitmap of all the viewer's messages, what the planner takes on a table this small) are
    // dropped in it too.
    const plans = {
      gin: {
        off: ['enable_indexscan', 'enable_seqscan', 'enable_nestloop'],
        index: 'Message_searchVector_idx',
        ddl: 'DROP INDEX "Message_conversationId_seq_key", "Message_conversationId_rev_idx"',
      },
      walk: { off: ['enable_bitmapscan', 'enable_seqscan', 'enable_sort'], index: 'Message_createdAt_idx' },
      planned: { off: [], index: 'Message' },
    }
    class RolledBack {
      constructor(
        readonly plan: string,
        readonly rows: { content: string }[],
      ) {}
    }
    const answers: Record<string, string[]> = {}
    for (const [name, { off, index, ...rest }] of Object.entries(plans)) {
      const outcome = await db
        .$transaction(async (tx) => {
          if ('ddl' in rest) await tx.$executeRawUnsafe(rest.ddl)
          for (const setting of off) await tx.$executeRawUnsafe(`SET LOCAL ${setting} = off`)
          const conversations = await tx.$queryRawUnsafe<{ id: string }[]>(
            SEARCHABLE_CONVERSATIONS,
            ana.user.id,
            eventId,
            null,
          )
          const params = [
            conversations.map((c) => c.id),
            "'tulip'",
            SEARCH_CANDIDATES + 1,
            0,
            SEARCH_CANDIDATES,
          ]
          const explained = await tx.$queryRawUnsafe<Record<string, string>[]>(
            `EXPLAIN ${SEARCH_MESSAGES}`,
            ...params,
          )
          throw new RolledBack(
            explained.map((r) => Object.values(r)[0]).join('\n'),
            await tx.$queryRawUnsafe<{ content: string }[]>(SEARCH_MESSAGES, ...params),
          )
        })
        .catch((error: unknown) => error)
      if (!(outcome instanceof RolledBack)) throw outcome
      expect(outcome.plan, name).toContain(index)
      answers[name] = outcome.rows.map((r) => r.content.replace(/^(tulip )+/, ''))
    }
    expect(answers.planned).toEqual(expected)
    expect(answers.gin).toEqual(expected)
    expect(answers.walk).toEqual(expected)
  })
})
