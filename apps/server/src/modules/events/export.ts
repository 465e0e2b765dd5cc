import type { Message } from '@secura/shared'
import type { PrismaClient } from '../../db/prisma.ts'
import { notFound } from '../../errors.ts'
import type { Actor } from '../identity/identity.service.ts'
import { M_COLUMNS } from '../messages/store.ts'
import { type MessageRow, summarize, toMessage } from '../messages/wire.ts'
import { eventManagers } from './events.service.ts'
import { toEvent } from './wire.ts'

/** Messages read per round trip: an export of a million messages never holds more than this many at once. */
export const EXPORT_PAGE = 500
const FORMAT = 'secura-export/1'
/** The rule of protocol §3.4, carried in every export so its reader knows what is not in it. */
export const EXPORT_RULE =
  'The event lobby and its groups; direct conversations are private to their two members and never exported.'

type Row = MessageRow & { reactionPairs: [string, string][] | null }

/**
 * The organizers' exports (protocol §3.4): JSON of the lobby and the groups, and a printable HTML transcript of
 * the lobby. Both are streamed, page by page in seq order (a cursor on seq, never an offset), so an event of
 * any size is exported in bounded memory. Access is checked before the first byte, so a refusal is a clean
 * error, not a broken download.
 */
export function createExports(prisma: PrismaClient, publicUrl: string) {
  const assertCanManage = eventManagers(prisma)

  async function* pages(conversationId: string): AsyncGenerator<Message[]> {
    let afterSeq = 0
    for (;;) {
      const rows = await prisma.$queryRawUnsafe<Row[]>(
        `SELECT ${M_COLUMNS}, (SELECT json_agg(json_build_array(r.emoji, r."userId") ORDER BY r."createdAt", r."userId")
           FROM "Reaction" r WHERE r."messageId" = m.id) AS "reactionPairs"
         FROM "Message" m WHERE m."conversationId" = $1::uuid AND m.seq > $2::int ORDER BY m.seq LIMIT $3::int`,
        conversationId,
        afterSeq,
        EXPORT_PAGE,
      )
      if (rows.length === 0) return
      yield rows.map(({ reactionPairs, ...row }) => toMessage(row, summarize(reactionPairs ?? [])))
      afterSeq = Number(rows[rows.length - 1]!.seq)
      if (rows.length < EXPORT_PAGE) return
    }
  }

  /** Users of the event by id, a page at a time. */
  async function* users(eventId: string) {
    let after = '00000000-0000-0000-0000-000000000000'
    for (;;) {
      const rows = await prisma.user.findMany({
        where: { eventId, id: { gt: after } },
        orderBy: { id: 'asc' },
        take: EXPORT_PAGE,
        select: { id: true, displayName: true, role: true, createdAt: true, removedAt: true },
      })
      if (rows.length === 0) return
      yield rows
      after = rows[rows.length - 1]!.id
      if (rows.length < EXPORT_PAGE) return
    }
  }

  const exported = (m: Message) => ({
    ...m,
    // Files as metadata and a link: the link serves them to the conversation's members (protocol §4).
    ...(m.attachments && {
      attachments: m.attachments.map((a) => ({
        ...a,
        url: `${publicUrl}/api/attachments/${a.id}/${a.kind === 'image' ? 'display' : 'file'}`,
      })),
    }),
  })

  return {
    /** The JSON export, as chunks of text; throws NOT_FOUND/FORBIDDEN before yielding anything. */
    async json(actor: Actor, eventId: string): Promise<AsyncIterable<string>> {
      const event = await assertCanManage(actor, eventId, 'export it')
      const conversations = await prisma.conversation.findMany({
        where: { eventId, kind: { in: ['event', 'group'] } },
        orderBy: [{ kind: 'asc' }, { createdAt: 'asc' }],
        include: { members: { select: { userId: true }, orderBy: { joinedAt: 'asc' } } },
      })
      return (async function* () {
        const head = { format: FORMAT, exportedAt: new Date().toISOString(), rule: EXPORT_RULE }
        yield `{${JSON.stringify(head).slice(1, -1)},"event":${JSON.stringify(toEvent(event))},"users":[`
        let first = true
        for await (const page of users(eventId)) {
          for (const u of page) {
            const user = {
              id: u.id,
              displayName: u.displayName,
              role: u.role,
              joinedAt: u.createdAt.toISOString(),
              removed: u.removedAt !== null,
            }
            yield `${first ? '' : ','}${JSON.stringify(user)}`
            first = false
          }
        }
        yield '],"conversations":['
        for (const [i, c] of conversations.entries()) {
          const meta = {
            id: c.id,
            kind: c.kind,
            title: c.title,
            createdAt: c.createdAt.toISOString(),
            // The lobby's members are everyone: the user list above.
            memberIds: c.kind === 'event' ? null : c.members.map((m) => m.userId),
          }
          yield `${i === 0 ? '' : ','}{${JSON.stringify(meta).slice(1, -1)},"messages":[`
          let firstMessage = true
          for await (const page of pages(c.id)) {
            yield `${firstMessage ? '' : ','}${page.map((m) => JSON.stringify(exported(m))).join(',')}`
            firstMessage = false
          }
          yield ']}'
        }
        yield ']}\n'
      })()
    },

    /** A printable HTML transcript of the lobby: every name and text escaped, no scripts, print CSS. */
    async lobbyHtml(actor: Actor, eventId: string): Promise<AsyncIterable<string>> {
      const event = await assertCanManage(actor, eventId, 'export it')
      const lobby = await prisma.conversation.findUnique({
        where: { eventId_uniqueKey: { eventId, uniqueKey: 'lobby' } },
      })
      if (!lobby) throw notFound('Conversation')
      const names = new Map<string, string>()
      for await (const page of users(eventId)) for (const u of page) names.set(u.id, u.displayName)
      const name = (id: string | null) => (id ? (names.get(id) ?? 'Someone') : 'The organizers')
      return (async function* () {
        yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(event.name)} — lobby transcript</title>
<style>${TRANSCRIPT_CSS}</style></head><body>
<header><h1>${escapeHtml(event.name)}</h1><p>Lobby transcript, exported ${escapeHtml(new Date().toUTCString())}</p></header>
<main>
`
        for await (const page of pages(lobby.id)) {
          yield page.map((m) => transcriptLine(m, name)).join('')
        }
        yield '</main></body></html>\n'
      })()
    },
  }
}

export type Exports = ReturnType<typeof createExports>

const TRANSCRIPT_CSS = `body{font:15px/1.45 system-ui,sans-serif;color:#111;max-width:46rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:0}header p{color:#555;margin:.25rem 0 1.5rem}
.m{margin:0 0 .6rem;break-inside:avoid}.m .who{font-weight:600}.m time{color:#666;font-size:.8rem;margin-left:.4rem}
.m p{margin:.1rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}.m .note{color:#666;font-style:italic}
.sys{text-align:center;color:#555;font-size:.85rem;margin:.8rem 0;break-inside:avoid}
@media print{body{margin:0;max-width:none;font-size:11pt}header{border-bottom:1px solid #999;margin-bottom:1rem}}`

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

/** A system line's words, names resolved: shared by the transcript and the tests. */
export function systemText(m: Message, name: (id: string | null) => string): string {
  const line = m.system!
  const targets = line.targetIds.map((id) => name(id)).join(', ')
  switch (line.type) {
    case 'group-created':
      return `${name(line.actorId)} created the group “${line.title ?? ''}”`
    case 'group-renamed':
      return `${name(line.actorId)} renamed the group to “${line.title ?? ''}”`
    case 'members-added':
      return `${name(line.actorId)} added ${targets}`
    case 'member-removed':
      return `${name(line.actorId)} removed ${targets}`
    case 'member-left':
      return `${targets} left`
    case 'guest-removed':
      return `${targets} was removed by ${line.actorId ? name(line.actorId) : 'the organizers'}`
  }
}

function transcriptLine(m: Message, name: (id: string | null) => string): string {
  const time = `<time datetime="${m.timestamp}">${escapeHtml(m.timestamp.slice(0, 16).replace('T', ' '))}</time>`
  if (m.system) return `<p class="sys">${escapeHtml(systemText(m, name))} ${time}</p>\n`
  const body = m.deletedAt
    ? '<p class="note">(deleted)</p>'
    : `<p>${escapeHtml(m.content)}</p>${
        m.attachments?.length
          ? `<p class="note">${m.attachments.map((a) => escapeHtml(`[${a.kind}: ${a.name}]`)).join(' ')}</p>`
          : ''
      }`
  return `<div class="m"><span class="who">${escapeHtml(name(m.senderId))}</span>${time}${body}</div>\n`
}
