import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export interface TestDatabase {
  /** Environment for the server: DATABASE_URL of a fresh database, or DATA_DIR of a fresh PGlite. */
  env: Record<string, string>
  describe: string
  drop(): Promise<void>
}

/**
 * A fresh database for one run: a new database on the Postgres server of DATABASE_URL when it is set,
 * else an embedded PGlite in a temporary folder. Dropped (or removed) afterwards.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'secura-e2e-'))
    return {
      env: { DATA_DIR: dataDir },
      describe: `embedded PGlite in ${dataDir}`,
      drop: () => rm(dataDir, { recursive: true, force: true }),
    }
  }
  const name = `e2e_${randomBytes(6).toString('hex')}`
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    env: { DATABASE_URL: url.toString() },
    describe: `Postgres database ${name}`,
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * What the server under test stored for a conversation: its messages and its attachments (sent or not).
 * On Postgres the rows themselves; on PGlite (one process only: the server's) the messages by the API,
 * and the attachments by their folders in DATA_DIR/files, one per Attachment row.
 */
export async function storedInConversation(
  conversationId: string,
  messagesByApi: () => Promise<number>,
): Promise<{ messages: number; attachments: number }> {
  const url = process.env.E2E_DATABASE_URL
  if (url) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const count = async (table: string) => {
        const sql = `SELECT count(*)::int AS n FROM "${table}" WHERE "conversationId" = $1`
        const { rows } = await client.query<{ n: number }>(sql, [conversationId])
        return rows[0]?.n ?? 0
      }
      return { messages: await count('Message'), attachments: await count('Attachment') }
    } finally {
      await client.end()
    }
  }
  const folder = join(process.env.E2E_DATA_DIR!, 'files', 'objects', conversationId)
  const attachments = await readdir(folder).then(
    (names) => names.length,
    () => 0,
  )
  return { messages: await messagesByApi(), attachments }
}
