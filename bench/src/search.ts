// Scenario 5: message search over a large event. Seeds `count` messages of words from a synthetic vocabulary
// straight into Postgres (generate_series), skewed as real text is: a few words are everywhere, most are rare.
// Probes the search route at a steady rate and takes server time from Fastify's log (as history.ts does),
// and keeps the EXPLAIN ANALYZE of each query for the cases that miss the target.
import { statSync } from 'node:fs'
import pg from 'pg'
import {
  SEARCH_CANDIDATES,
  SEARCH_MESSAGES,
  SEARCHABLE_CONVERSATIONS,
} from '../../apps/server/src/modules/search/statement.ts'
import { searchTerms, toTsquery } from '../../apps/server/src/modules/search/terms.ts'
import { newHistogram, type Percentiles, percentiles } from './hist.ts'
import { serverTimes } from './history.ts'
import { seedMessages } from './seed.ts'
import { api, type Guest, get } from './setup.ts'

export interface SearchCase {
  name: string
  query: string
  /** Messages of the corpus that hold every word (before ranking and paging). */
  matches: number
  client: Percentiles
  server: Percentiles | null
  /** EXPLAIN (ANALYZE, BUFFERS) of the statement, as the server runs it: its execution time and plan. */
  explainMs: number
  plan: string
  /** How the plan found the newest matches: all of them through the GIN index, or a walk newest first. */
  strategy: 'gin' | 'walk' | 'other'
}

export interface SearchResult {
  messages: number
  vocabulary: number
  seedSeconds: number
  /** Probes a second, across the cases in turn. */
  rate: number
  samples: number
  cases: SearchCase[]
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  're',
  'tu',
  'sa',
  'ne',
  'po',
  'di',
  'vu',
  'ha',
  'ze',
  'ri',
  'mo',
  'ta',
  'ge',
]
const WORDS_PER_MESSAGE = 8

/** `size` distinct pronounceable words: index i spelled in base-16 syllables, three or more of them. */
function vocabulary(size: number): string[] {
  return Array.from({ length: size }, (_, i) => {
    let word = ''
    for (let n = i + 16 * 16; n > 0; n = Math.floor(n / 16)) word += SYLLABLES[n % 16]
    return word
  })
}

/**
 * `count` messages in the conversation, each of WORDS_PER_MESSAGE words; word k of the vocabulary is drawn
 * with a density that falls as k^(-2/3) (random()^3), so word 0 is in about a third of the messages and the
 * last in a few hundred of a million.
 */
function seed(
  databaseUrl: string,
  conversationId: string,
  senders: string[],
  words: string[],
  count: number,
) {
  return seedMessages(databaseUrl, {
    conversationId,
    senders,
    count,
    clientPrefix: 'search-',
    content: `(SELECT string_agg(($4::text[])[1 + floor(power(random(), 3) * array_length($4::text[], 1))::int], ' ')
                 FROM generate_series(1, $5::int) AS k WHERE k > 0 * i)`,
    params: [words, WORDS_PER_MESSAGE],
    // The indexes search reads (the stored words' GIN, the walk's "createdAt") are built once after the
    // insert rather than updated a million times during it (as a restore would do); their definitions are
    // the migrations', read back, not written here again. The stored words are computed by the insert.
    async aroundInsert(c, insert) {
      const indexes = await c.query<{ indexdef: string; indexname: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Message'
           AND (indexdef LIKE '%("searchVector")%' OR indexdef LIKE '%("createdAt")%')`,
      )
      for (const { indexname } of indexes.rows) await c.query(`DROP INDEX "${indexname}"`)
      await insert()
      for (const { indexdef } of indexes.rows) await c.query(indexdef)
    },
  })
}

export async function runSearch(o: {
  url: string
  logFile: string
  databaseUrl: string
  owner: Guest
  other: Guest
  eventId: string
  messages: number
  samples: number
  rate: number
  log: (line: string) => void
}): Promise<SearchResult> {
  const conv = await api(o.url, 'POST', '/api/chat/conversations', o.owner.token, {
    kind: 'group',
    title: 'search bench',
    userIds: [o.other.userId],
  })
  const words = vocabulary(5000)
  const seedSeconds = await seed(o.databaseUrl, conv.id, [o.owner.userId, o.other.userId], words, o.messages)
  o.log(`  seeded ${o.messages} messages of ${words.length} words in ${seedSeconds.toFixed(1)} s`)
  const w = (fraction: number) => words[Math.min(words.length - 1, Math.floor(fraction * words.length))]!
  const cases = [
    { name: 'rare word', query: w(1) },
    { name: 'uncommon word', query: w(0.1) },
    { name: 'common word', query: w(0.01) },
    { name: 'two words', query: `${w(0.01)} ${w(0.1)}` },
    { name: 'prefix (typing)', query: w(0.5).slice(0, 5) },
    { name: 'most frequent word', query: w(0) },
  ]

  const c = new pg.Client({ connectionString: o.databaseUrl })
  await c.connect()
  const explained: Pick<SearchCase, 'matches' | 'explainMs' | 'plan' | 'strategy'>[] = []
  try {
    for (const k of cases) {
      // The first search of a word reads its index pages from disk; on a cold cache that can pass the
      // statement deadline (503): a warm-up, so it may be tried again, and the cold tries are reported.
      let res = await get(`${o.url}/api/chat/search?q=${encodeURIComponent(k.query)}&limit=1`, o.owner.token)
      for (let cold = 1; res.status === 503 && cold <= 5; cold++) {
        o.log(`  warm-up of "${k.query}": 503 (cold try ${cold})`)
        await new Promise((r) => setTimeout(r, 500))
        res = await get(`${o.url}/api/chat/search?q=${encodeURIComponent(k.query)}&limit=1`, o.owner.token)
      }
      if (res.status !== 200) throw new Error(`search ${k.query} → ${res.status} ${res.body}`)
      const tsquery = toTsquery(searchTerms(k.query, 8))
      const [{ n }] = (
        await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "Message" WHERE "searchVector" @@ to_tsquery('simple'::regconfig, $1)`,
          [tsquery],
        )
      ).rows as [{ n: number }]
      const ids = (
        await c.query<{ id: string }>(SEARCHABLE_CONVERSATIONS, [o.owner.userId, o.eventId, null])
      ).rows.map((r) => r.id)
      const plan = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${SEARCH_MESSAGES}`, [
        ids,
        tsquery,
        21,
        0,
        SEARCH_CANDIDATES,
      ])
      const lines = plan.rows.map((r) => r['QUERY PLAN'])
      const ms = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1] ?? Number.NaN)
      const text = lines.join('\n')
      const strategy = text.includes('Message_createdAt_idx')
        ? 'walk'
        : text.includes('Message_searchVector_idx')
          ? 'gin'
          : 'other'
      explained.push({ matches: n, explainMs: Math.round(ms * 10) / 10, plan: text, strategy })
    }
  } finally {
    await c.end()
  }

  const paths = cases.map((k) => `/api/chat/search?q=${encodeURIComponent(k.query)}`)
  const clientTimes = cases.map(() => newHistogram())
  const from = statSync(o.logFile).size
  const start = performance.now()
  const intervalMs = 1000 / o.rate
  for (let s = 0; s < o.samples; s++) {
    for (const [k, path] of paths.entries()) {
      const due = start + (s * paths.length + k) * intervalMs
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())))
      const t0 = performance.now()
      const res = await get(`${o.url}${path}`, o.owner.token)
      if (res.status !== 200) throw new Error(`search ${path} → ${res.status}`)
      clientTimes[k]!.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)))
    }
  }
  await new Promise((r) => setTimeout(r, 300))
  const to = statSync(o.logFile).size
  const result: SearchResult = {
    messages: o.messages,
    vocabulary: words.length,
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    rate: o.rate,
    samples: o.samples,
    cases: cases.map((k, i) => {
      const times = serverTimes(o.logFile, from, (u) => u === paths[i], to)
      const h = newHistogram()
      for (const t of times) h.recordValue(Math.max(1, Math.round(t * 1000)))
      return {
        name: k.name,
        query: k.query,
        client: percentiles(clientTimes[i]!),
        server: times.length > 0 ? percentiles(h) : null,
        ...explained[i]!,
      }
    }),
  }
  for (const k of result.cases)
    o.log(
      `  ${k.name} "${k.query}" (${k.matches} matches): server p50 ${k.server?.p50 ?? 'n/a'} p99 ${k.server?.p99 ?? 'n/a'} ms; ` +
        `client p50 ${k.client.p50} p99 ${k.client.p99} ms; EXPLAIN ${k.explainMs} ms (${k.strategy})`,
    )
  return result
}
