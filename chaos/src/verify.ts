import type { LocalMessage } from '@secura/chat-client'
import type { Message } from '@secura/shared'
import pg from 'pg'
import type { Queued } from './clients/client.ts'
import type { ScenarioContext } from './context.ts'
import { sleep } from './infra/util.ts'
import { fetchHistory } from './world.ts'

export interface Figures {
  /** Messages the clients sent (each written to an outbox first). */
  sent: number
  /** Of those, acknowledged to their sender by the time the traffic ended. */
  acked: number
  /** Still in an outbox (unacknowledged) when the traffic ended: they had to drain. */
  stillQueued: number
  /** Message rows in the database, all checked. */
  checked: number
  lost: number
  duplicated: number
  outOfOrder: number
  /** Conversations whose seqs are not exactly 1..lastSeq. */
  gaps: number
  /** Client views (client × conversation) that differ from a fresh REST fetch. */
  divergent: number
  /** Client views holding one message id twice. */
  viewDuplicates: number
  /** Messages the server refused for good (4xx): failed in an outbox. */
  rejected: number
  /** Outboxes not empty when the time to drain ran out. */
  undrained: number
}

interface View {
  client: string
  outboxSize: number
  messages: Record<string, LocalMessage[]>
}

const MAX_DETAILS = 25

/** The checks of every scenario, from the database and from every client, once the faults are over. */
export async function verify(
  ctx: ScenarioContext,
  restBase: string,
  options: { drainMs?: number; convergeMs?: number } = {},
): Promise<{ figures: Figures; problems: string[] }> {
  const world = ctx.world!
  const problems: string[] = []
  const note = (problem: string) => {
    if (problems.length < MAX_DETAILS) problems.push(problem)
  }

  const stillQueued = ctx.clients.flatMap((c) => [...c.queued.values()]).filter((q) => !q.ackedAt).length

  // 1. Outboxes drain: nothing pending anywhere (failed entries stay: they are counted as rejected). The
  // wait goes on while they shrink, up to a hard limit; it ends when nothing moved for 30 s.
  const pendingOf = (v: View) =>
    Object.values(v.messages)
      .flat()
      .filter((m) => m.state === 'pending').length
  const totalPending = (vs: View[]) => vs.reduce((sum, v) => sum + pendingOf(v), 0)
  let views = await collectViews(ctx)
  const hardDeadline = Date.now() + (options.drainMs ?? 150_000)
  let lastProgress = Date.now()
  let lowest = totalPending(views)
  while (totalPending(views) > 0 && Date.now() < hardDeadline && Date.now() - lastProgress < 30_000) {
    await sleep(250)
    views = await collectViews(ctx)
    if (totalPending(views) < lowest) {
      lowest = totalPending(views)
      lastProgress = Date.now()
    }
  }
  const undrained = views.filter((v) => pendingOf(v) > 0)
  for (const v of undrained) note(`${v.client}: ${pendingOf(v)} messages still pending after the drain time`)

  // 2. Every client converges on what a fresh REST fetch returns.
  const conversations = [...world.members.keys()]
  const tokenFor = (id: string) => world.guests.find((g) => world.members.get(id)!.includes(g.user.id))!.token
  let history = new Map<string, Message[]>()
  let divergences: string[] = []
  const convergeDeadline = Date.now() + (options.convergeMs ?? 30_000)
  for (;;) {
    history = new Map(
      await Promise.all(
        conversations.map(async (id) => [id, await fetchHistory(restBase, tokenFor(id), id)] as const),
      ),
    )
    views = await collectViews(ctx)
    divergences = []
    for (const v of views) {
      for (const id of conversations) {
        const guest = world.guests.find((g) => g.name === v.client)
        if (guest && !world.members.get(id)!.includes(guest.user.id)) continue
        const problem = compareView(v.messages[id] ?? [], history.get(id)!)
        if (!problem) continue
        const local = ctx.clients.find((c) => c.spec.name === v.client)
        const cursor = local ? `; its cursor: ${await local.cursor(id)}` : ''
        divergences.push(`${v.client} in ${label(ctx, id)}: ${problem}${cursor}`)
      }
    }
    if (divergences.length === 0 || Date.now() > convergeDeadline) break
    await sleep(1000)
  }
  for (const d of divergences) note(d)
  // CHAOS_TRACE=1: what each client received, for the diagnosis of a failure.
  if (process.env.CHAOS_TRACE) {
    const { writeFileSync } = await import('node:fs')
    for (const c of ctx.clients)
      writeFileSync(`/tmp/chaos-trace-${ctx.name}-${c.spec.name}.txt`, c.trace.join('\n'))
  }
  const viewDuplicates = views.flatMap((v) =>
    Object.entries(v.messages).filter(([, list]) => {
      const ids = list.filter((m) => m.state === 'sent').map((m) => (m as Message).id)
      return new Set(ids).size !== ids.length
    }),
  ).length
  const rejected = views.flatMap((v) => Object.values(v.messages).flat()).filter((m) => m.state === 'failed')
  for (const m of rejected.slice(0, 5)) note(`rejected: ${JSON.stringify(m).slice(0, 300)}`)

  // 3. The database: one row per queued message, seq 1..N, per-sender order.
  const db = new pg.Client({ connectionString: ctx.databaseUrl })
  await db.connect()
  let rows: DbRow[]
  let heads: { id: string; lastSeq: number }[]
  try {
    rows = (
      await db.query<DbRow>(
        `SELECT id, "conversationId", seq, "senderId", "clientMessageId", content, "deletedAt", kind::text FROM "Message"`,
      )
    ).rows
    heads = (await db.query<{ id: string; lastSeq: number }>(`SELECT id, "lastSeq" FROM "Conversation"`)).rows
  } finally {
    await db.end()
  }

  const queued: Queued[] = ctx.clients.flatMap((c) => [...c.queued.values()])
  const byClientId = new Map(rows.map((r) => [`${r.senderId}/${r.clientMessageId}`, r]))
  const matched = new Set<DbRow>()
  let lost = 0
  for (const q of queued) {
    let row = q.clientMessageId ? byClientId.get(`${q.sender}/${q.clientMessageId}`) : undefined
    if (!q.clientMessageId) {
      // Its id was not seen in the snapshot: find it by content (not possible once deleted).
      row = rows.find((r) => r.senderId === q.sender && keyOf(r.content) === q.key)
      if (!row) note(`${q.key}: its clientMessageId was never seen and no row carries its text`)
    }
    if (row) matched.add(row)
    else {
      lost++
      note(`LOST ${q.key} (${q.ackedAt ? 'acked' : 'never acked'}, clientMessageId ${q.clientMessageId})`)
    }
  }
  const unexpected = rows.filter(
    (r) =>
      r.kind !== 'system' &&
      !matched.has(r) &&
      !(r.clientMessageId && ctx.ownedMessages.has(r.clientMessageId)),
  )
  for (const r of unexpected.slice(0, 5)) note(`unexpected row ${r.id} "${r.content.slice(0, 60)}"`)
  const byKey = new Map<string, DbRow[]>()
  for (const r of rows) {
    const key = keyOf(r.content)
    if (!key || r.deletedAt || r.kind === 'system') continue
    byKey.set(`${r.conversationId}/${key}`, [...(byKey.get(`${r.conversationId}/${key}`) ?? []), r])
  }
  const doubled = [...byKey.values()].filter((list) => list.length > 1)
  for (const list of doubled.slice(0, 5)) note(`DOUBLED ${keyOf(list[0]!.content)}: ${list.length} rows`)
  const duplicated = unexpected.length + doubled.reduce((sum, list) => sum + list.length - 1, 0)

  let gaps = 0
  for (const head of heads) {
    const seqs = rows
      .filter((r) => r.conversationId === head.id)
      .map((r) => r.seq)
      .sort((a, b) => a - b)
    const exact = seqs.length === head.lastSeq && seqs.every((s, i) => s === i + 1)
    if (!exact) {
      gaps++
      note(`GAP in ${label(ctx, head.id)}: ${seqs.length} rows, lastSeq ${head.lastSeq}`)
    }
  }

  let outOfOrder = 0
  const rowOf = (q: Queued) =>
    q.clientMessageId ? byClientId.get(`${q.sender}/${q.clientMessageId}`) : undefined
  const lines = new Map<string, Queued[]>()
  for (const q of queued) {
    const k = `${q.conversationId}/${q.sender}`
    lines.set(k, [...(lines.get(k) ?? []), q])
  }
  for (const list of lines.values()) {
    let last = 0
    for (const q of list.sort((a, b) => a.n - b.n)) {
      const row = rowOf(q)
      if (!row) continue
      if (row.seq <= last) {
        outOfOrder++
        note(`OUT OF ORDER ${q.key}: seq ${row.seq} after ${last}`)
      }
      last = row.seq
    }
  }

  return {
    figures: {
      sent: queued.length,
      acked: queued.length - stillQueued,
      stillQueued,
      checked: rows.length,
      lost,
      duplicated,
      outOfOrder,
      gaps,
      divergent: divergences.length,
      viewDuplicates,
      rejected: rejected.length,
      undrained: undrained.length,
    },
    problems,
  }
}

interface DbRow {
  id: string
  conversationId: string
  seq: number
  senderId: string
  clientMessageId: string
  content: string
  deletedAt: Date | null
  /** `system` for a line the server wrote (a group's "created"): not sent by a client, but it takes a seq. */
  kind: string
}

const keyOf = (content: string) => content.split(' ')[0] ?? ''

function label(ctx: ScenarioContext, conversationId: string) {
  const world = ctx.world!
  if (conversationId === world.lobbyId) return 'the lobby'
  const size = world.members.get(conversationId)?.length
  return `${size === 2 ? 'a direct' : 'the group'} ${conversationId.slice(-6)}`
}

async function collectViews(ctx: ScenarioContext): Promise<View[]> {
  const local = ctx.clients.map((c) => ({
    client: c.spec.name,
    outboxSize: c.snapshot()?.outboxSize ?? 0,
    messages: c.snapshot()?.messages ?? {},
  }))
  const remote = await Promise.all(
    ctx.remotes.map(async (r) => {
      const state = await r.state()
      return { client: r.spec.name, outboxSize: state.outboxSize, messages: state.messages }
    }),
  )
  return [...local, ...remote]
}

/**
 * A client's view of one conversation against the full history: it must hold a contiguous window ending
 * at the head (at least the latest page), each message equal by id, seq, content and deletedAt, nothing
 * pending, no id twice.
 */
export function compareView(view: LocalMessage[], history: Message[]): string | null {
  const notSent = view.filter((m) => m.state !== 'sent')
  if (notSent.length > 0) return `${notSent.length} messages still ${notSent[0]!.state}`
  const sent = view as (Message & { state: 'sent' })[]
  const ids = new Set(sent.map((m) => m.id))
  if (ids.size !== sent.length) return 'the same message id twice'
  if (history.length === 0)
    return sent.length === 0 ? null : `${sent.length} messages the server does not have`
  const head = history.at(-1)!.seq
  const bySeq = new Map(history.map((m) => [m.seq, m]))
  if (sent.length === 0) return `empty, the server has ${history.length}`
  const first = sent[0]!.seq
  if (first > Math.max(1, head - 49))
    return `window starts at seq ${first}, not within the latest page (head ${head})`
  if (sent.at(-1)!.seq !== head) return `ends at seq ${sent.at(-1)!.seq}, the head is ${head}`
  if (sent.length !== head - first + 1) return `${sent.length} messages for seqs ${first}..${head}`
  for (const m of sent) {
    const expected = bySeq.get(m.seq)
    if (!expected) return `seq ${m.seq} is not on the server`
    if (expected.id !== m.id) return `seq ${m.seq} is ${m.id}, the server says ${expected.id}`
    const revs = `(rev ${m.rev} here, ${expected.rev} on the server)`
    if (expected.content !== m.content)
      return `seq ${m.seq} reads "${m.content}", the server says "${expected.content}" ${revs}${expected.deletedAt ? ` deleted at ${expected.deletedAt}` : ''}`
    if ((expected.deletedAt ?? null) !== (m.deletedAt ?? null))
      return `seq ${m.seq} deletedAt differs ${revs}`
  }
  return null
}
