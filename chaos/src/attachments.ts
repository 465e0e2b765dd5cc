import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { ServerProcess } from './infra/server.ts'
import { sleep } from './infra/util.ts'

/** A 4×4 PNG: decoded and re-encoded by the server like any photo (the decoder's window for a kill). */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEElEQVQImWMwTjsDRwzEcQA64hZR6ypPHQAAAABJRU5ErkJggg==',
  'base64',
)

export interface AttachmentSend {
  clientMessageId: string
  attachmentId: string
  kind: 'image' | 'file'
}

/** Answers that mean "try again": the server is down, restarting, or refused for now. */
const RETRY = new Set([502, 503, 504, 429])

/**
 * One guest sends photos and files while faults happen, as a client app does: upload with one key per file
 * until answered (a repeat after a lost answer gets the first upload's attachment back: nothing is left
 * unsent), then the send with one clientMessageId until it is answered (a replay answers the original).
 * Every send must end as one message with its file.
 */
export class AttachmentSender {
  readonly sent: AttachmentSend[] = []
  /** Upload attempts made again (the server down, or its answer lost), each with the file's key. */
  uploadRetries = 0
  /** Repeats the server answered with an upload it had already made (200): answers a kill cut off. */
  uploadsRepeated = 0
  /** Sends answered only after a retry. */
  resends = 0
  readonly problems: string[] = []

  constructor(
    private readonly base: () => string,
    private readonly token: string,
    private readonly conversationId: string,
    private readonly label: string,
    /** The clientMessageIds of these sends: the message checks of verify.ts leave them to verifyAttachments. */
    private readonly owned: Set<string>,
  ) {}

  /** Sends one after another until `signal` aborts (the attachment in progress is finished). */
  async run(signal: AbortSignal, pauseMs = 300): Promise<void> {
    for (let n = 1; !signal.aborted; n++) {
      const kind = n % 3 === 0 ? 'file' : 'image'
      const attachmentId = await this.upload(kind, n)
      if (!attachmentId) return
      const clientMessageId = crypto.randomUUID()
      this.owned.add(clientMessageId)
      if (!(await this.send(clientMessageId, attachmentId, n))) return
      this.sent.push({ clientMessageId, attachmentId, kind })
      await sleep(pauseMs)
    }
  }

  private async upload(kind: 'image' | 'file', n: number): Promise<string | undefined> {
    const key = crypto.randomUUID()
    for (let attempt = 0; attempt < 200; attempt++) {
      const form = new FormData()
      const bytes = kind === 'image' ? PHOTO : Buffer.from(`${this.label} notes ${n}\n`)
      form.append('file', new Blob([new Uint8Array(bytes)]), kind === 'image' ? `p${n}.png` : `n${n}.txt`)
      try {
        const res = await fetch(`${this.base()}/api/chat/conversations/${this.conversationId}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'idempotency-key': key },
          body: form,
          signal: AbortSignal.timeout(10_000),
        })
        const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code: string } }
        if (res.status === 200 && body.id) this.uploadsRepeated++
        if ((res.status === 201 || res.status === 200) && body.id) return body.id
        if (!RETRY.has(res.status)) {
          this.problems.push(`upload ${n}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`)
          return undefined
        }
      } catch {
        // Connection refused or reset: the server is down.
      }
      this.uploadRetries++
      await sleep(200)
    }
    this.problems.push(`upload ${n}: no answer after 200 tries`)
    return undefined
  }

  private async send(clientMessageId: string, attachmentId: string, n: number): Promise<boolean> {
    const body = { clientMessageId, content: `${this.label}-attachment-${n}`, attachmentIds: [attachmentId] }
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const res = await fetch(`${this.base()}/api/chat/conversations/${this.conversationId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        })
        const answer = (await res.json().catch(() => ({}))) as { attachments?: { id: string }[] }
        if (res.status === 201 || res.status === 200) {
          if (answer.attachments?.[0]?.id !== attachmentId)
            this.problems.push(`send ${n}: answered without its attachment`)
          if (attempt > 0) this.resends++
          return true
        }
        if (!RETRY.has(res.status)) {
          this.problems.push(`send ${n}: ${res.status} ${JSON.stringify(answer).slice(0, 200)}`)
          return false
        }
      } catch {
        // Down: the same send again, with the same clientMessageId.
      }
      await sleep(200)
    }
    this.problems.push(`send ${n}: no answer after 200 tries`)
    return false
  }
}

/** Attachment ids that have files in the server's storage folder, with how many files each. */
function storedIds(filesDir: string): Map<string, string[]> {
  const stored = new Map<string, string[]>()
  const objects = join(filesDir, 'objects')
  for (const conversation of safeList(objects)) {
    for (const id of safeList(join(objects, conversation))) {
      stored.set(id, safeList(join(objects, conversation, id)))
    }
  }
  return stored
}
const emptyFolders = (stored: Map<string, string[]>) =>
  [...stored.values()].filter((f) => f.length === 0).length
const safeList = (dir: string) => {
  try {
    return statSync(dir).isDirectory() ? readdirSync(dir) : []
  } catch {
    return []
  }
}

/**
 * After the faults: every attachment sent exactly once (one message row, one attachment row claimed by
 * it, its files stored) and no upload left unsent (a repeat with its key answers the first: a lost answer
 * makes no orphan row); then the server restarted with a grace of a second, and once its sweep has run,
 * storage holds exactly the files of the sent attachments: the files of uploads a kill cut off before
 * their row are gone, nothing referenced is.
 */
export async function verifyAttachments(
  databaseUrl: string,
  server: ServerProcess,
  sender: AttachmentSender,
  senderId: string,
): Promise<{ problems: string[]; figures: Record<string, number> }> {
  const problems = [...sender.problems]
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const rows = async () =>
      (
        await db.query<{ id: string; messageId: string | null; clientMessageId: string | null }>(
          `SELECT a.id, a."messageId", m."clientMessageId" FROM "Attachment" a
             LEFT JOIN "Message" m ON m.id = a."messageId"`,
        )
      ).rows
    const messages = (
      await db.query<{ clientMessageId: string; attachments: unknown }>(
        `SELECT "clientMessageId", attachments FROM "Message" WHERE "senderId" = $1 AND "clientMessageId" = ANY($2)`,
        [senderId, sender.sent.map((s) => s.clientMessageId)],
      )
    ).rows
    const before = await rows()
    const storedBefore = storedIds(server.filesDir)
    for (const s of sender.sent) {
      const copies = messages.filter((m) => m.clientMessageId === s.clientMessageId)
      if (copies.length !== 1) problems.push(`attachment message ${s.clientMessageId}: ${copies.length} rows`)
      const stored = copies[0]?.attachments
      const list = (typeof stored === 'string' ? JSON.parse(stored) : (stored ?? [])) as { id: string }[]
      const carried = list.map((a) => a.id)
      if (carried.length !== 1 || carried[0] !== s.attachmentId)
        problems.push(
          `message ${s.clientMessageId} carries ${JSON.stringify(carried)}, not ${s.attachmentId}`,
        )
      const row = before.find((r) => r.id === s.attachmentId)
      if (row?.clientMessageId !== s.clientMessageId)
        problems.push(`attachment ${s.attachmentId}: not claimed by its message`)
      const files = storedBefore.get(s.attachmentId) ?? []
      if (files.length !== (s.kind === 'image' ? 2 : 1))
        problems.push(`attachment ${s.attachmentId}: files ${JSON.stringify(files)}`)
    }
    const unsentBefore = before.filter((r) => r.messageId === null).length
    if (unsentBefore > 0)
      problems.push(`${unsentBefore} uploads recorded but never sent: a repeat with its key was stored again`)
    const orphansBefore = [...storedBefore.keys()].filter((id) => !before.some((r) => r.id === id)).length

    // The sweep, as in production but with a grace of a second: a restart with the short settings.
    await server.terminate()
    await server.start({ UPLOAD_GRACE_MS: '1000', UPLOAD_SWEEP_MS: '1000' })
    const referenced = new Set(sender.sent.map((s) => s.attachmentId))
    let settled = false
    let after = before
    let storedAfter = storedBefore
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      await sleep(500)
      after = await rows()
      storedAfter = storedIds(server.filesDir)
      const incoming = safeList(join(server.filesDir, 'incoming'))
      settled =
        after.length === referenced.size &&
        after.every((r) => referenced.has(r.id)) &&
        storedAfter.size === referenced.size &&
        [...storedAfter.keys()].every((id) => referenced.has(id)) &&
        incoming.length === 0
      if (settled) break
    }
    if (!settled)
      problems.push(
        `after the sweep: ${after.length} attachment rows, ${storedAfter.size} stored (${emptyFolders(storedAfter)} of them empty folders), ${referenced.size} sent`,
      )
    return {
      problems,
      figures: {
        attachmentsSent: sender.sent.length,
        uploadRetries: sender.uploadRetries,
        uploadsRepeated: sender.uploadsRepeated,
        resends: sender.resends,
        unsentBeforeSweep: unsentBefore,
        orphanFilesBeforeSweep: orphansBefore,
        storedAfterSweep: storedAfter.size,
      },
    }
  } finally {
    await db.end()
  }
}
