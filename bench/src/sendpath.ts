// `tsx src/sendpath.ts [--seconds=8] [--rounds=2] [--conversations=100] [--concurrency=200]`
// The write side of the send path alone, on Postgres: closed-loop sends (each sender sends its next message
// when the last is committed) through the server's own send queue and store, under several settings in the
// same run, interleaved in rounds so the machine's noise falls on all of them alike. Reported per setting:
// sends committed per second (and as a ratio to the round's first), the send's latency, and the CPU per
// send of this process and of the database's backends (from /proc). No sockets, no validation: what the
// queue's writers, single writes, group commit and Postgres' commit_delay change, and nothing else.

import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import pg from 'pg'
import { createBenchDatabase, setCommitDelay } from './targets.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback)
const seconds = option('seconds', 8)
const rounds = option('rounds', 2)
const conversations = option('conversations', 100)
const concurrency = option('concurrency', 200)

// The server's modules, by path: the bench measures them, it is not a dependency of theirs.
const SERVER = new URL('../../apps/server/src/', import.meta.url).href
const { createDatabase } = await import(`${SERVER}db/prisma.ts`)
const { migrate } = await import(`${SERVER}db/migrator.ts`)
const { createMessageStore } = await import(`${SERVER}modules/messages/store.ts`)
const { sendQueue } = await import(`${SERVER}modules/messages/send-queue.ts`)

const VARIANTS: {
  name: string
  writers: number
  singles: number
  groupCommit: boolean
  commitDelay?: string
}[] = [
  { name: '8 writers, any single (before)', writers: 8, singles: 8, groupCommit: false },
  { name: '8 writers, 2 singles (the default)', writers: 8, singles: 2, groupCommit: false },
  { name: '2 writers', writers: 2, singles: 2, groupCommit: false },
  { name: '8 writers, 2 singles + group commit', writers: 8, singles: 2, groupCommit: true },
  {
    name: '8 writers, 2 singles + commit_delay 100 µs',
    writers: 8,
    singles: 2,
    groupCommit: false,
    commitDelay: '100',
  },
]

const ticks = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}
const TICK_MS = 10

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres'
const bench = await createBenchDatabase(adminUrl)
const rows: string[] = []
try {
  const setup = await createDatabase({ databaseUrl: bench.url, embeddedDir: '', poolSize: 2 })
  await migrate(setup.sql)
  const eventId = randomUUID()
  const users = Array.from({ length: conversations * 2 }, () => randomUUID())
  const convs = Array.from({ length: conversations }, () => randomUUID())
  await setup.sql.query('INSERT INTO "Event" (id, name) VALUES ($1, $2)', [eventId, 'send path'])
  await setup.sql.query(
    `INSERT INTO "User" (id, "eventId", "displayName") SELECT u, $2, 'G' FROM unnest($1::uuid[]) u`,
    [users, eventId],
  )
  await setup.sql.query(
    `INSERT INTO "Conversation" (id, "eventId", kind, title) SELECT c, $2, 'group', 'G' FROM unnest($1::uuid[]) c`,
    [convs, eventId],
  )
  await setup.sql.query(
    `INSERT INTO "Member" ("conversationId", "userId")
     SELECT c, u FROM unnest($1::uuid[], $2::uuid[]) AS t(c, u)`,
    [convs.flatMap((c) => [c, c]), users],
  )
  await setup.sql.exec('ANALYZE')
  await setup.close()

  console.log(
    `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; ${conversations} groups, ${concurrency} senders in a closed loop, ${seconds} s per setting, ${rounds} rounds`,
  )
  rows.push(
    '| round | setting | sends/s | ÷ first of round | latency p50 / p99 | node CPU per send | Postgres CPU per send | load |',
    '|---|---|---|---|---|---|---|---|',
  )
  for (let round = 1; round <= rounds; round++) {
    let first = 0
    for (const v of VARIANTS) {
      await setCommitDelay(bench.url, v.commitDelay)
      // A pool of its own: commit_delay applies to connections opened after it was set.
      const db = await createDatabase({ databaseUrl: bench.url, embeddedDir: '', poolSize: 10 })
      const queue = sendQueue(createMessageStore(db.prisma), {
        writers: v.writers,
        singles: v.singles,
        groupCommit: v.groupCommit,
      })
      const admin = new pg.Client({ connectionString: bench.url })
      await admin.connect()
      // Warm: every pooled connection open and its statements prepared.
      await Promise.all(
        convs.map((c, i) =>
          queue.insert({
            viewer: { id: users[i * 2]!, eventId, role: 'guest' },
            id: randomUUID(),
            conversationId: c,
            clientMessageId: randomUUID(),
            content: 'warm',
            replyToId: null,
          }),
        ),
      )
      const backends = (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
      ).rows.map((r) => r.pid)
      const dbBefore = backends.reduce((sum, pid) => sum + ticks(pid), 0)
      const cpuBefore = process.cpuUsage()
      const latencies: number[] = []
      const deadline = performance.now() + seconds * 1000
      const started = performance.now()
      await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          const c = i % conversations
          const viewer = { id: users[c * 2 + (i % 2)]!, eventId, role: 'guest' }
          while (performance.now() < deadline) {
            const t = performance.now()
            const row = await queue.insert({
              viewer,
              id: randomUUID(),
              conversationId: convs[c]!,
              clientMessageId: randomUUID(),
              content: `message from sender ${i}`,
              replyToId: null,
            })
            if (!row) throw new Error('a send wrote nothing')
            latencies.push(performance.now() - t)
          }
        }),
      )
      const elapsed = (performance.now() - started) / 1000
      const cpu = process.cpuUsage(cpuBefore)
      const dbMs = (backends.reduce((sum, pid) => sum + ticks(pid), 0) - dbBefore) * TICK_MS
      await admin.end()
      await db.close()
      const sent = latencies.length
      const rate = sent / elapsed
      if (!first) first = rate
      latencies.sort((a, b) => a - b)
      const at = (q: number) => latencies[Math.min(sent - 1, Math.floor(q * sent))]!.toFixed(1)
      const row =
        `| ${round} | ${v.name} | ${Math.round(rate)} | ${(rate / first).toFixed(2)}× | ${at(0.5)} / ${at(0.99)} ms | ` +
        `${((cpu.user + cpu.system) / 1000 / sent).toFixed(3)} ms | ${(dbMs / sent).toFixed(3)} ms | ${loadavg()[0]!.toFixed(1)} |`
      rows.push(row)
      console.log(row)
    }
  }
} finally {
  await setCommitDelay(bench.url, undefined).catch(() => {})
  await bench.drop()
}
console.log(`\n${rows.join('\n')}`)
process.exit(0)
