import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SqlRunner } from '../../db/prisma.ts'
import { AppError } from '../../errors.ts'
import { hashSecret, newSecret, safeEqual } from './tokens.ts'

/** Checks the operator's key: the ADMIN_TOKEN of the environment, or the generated one kept in the database. */
export interface AdminKey {
  verify(token: string): Promise<boolean>
  source: 'environment' | 'database'
}

export interface AdminTokenOptions {
  /** ADMIN_TOKEN; when set it is the key, and the database's row is not used. */
  envToken: string | undefined
  /** The embedded database's folder: the generated token is also written to `admin-token` there. */
  tokenFile: string | undefined
}

export const ADMIN_TOKEN_FILE = 'admin-token'
const SELECT = 'SELECT "tokenHash" FROM "AdminToken" WHERE id = 1'

/**
 * The admin key of this instance. Without ADMIN_TOKEN, the first instance to start generates a token and
 * stores its hash, under the migration lock so instances starting together agree on one; `generated` is
 * the token itself, returned only to the instance that made it (to print once). On the embedded database
 * the token is also kept in DATA_DIR/admin-token, as before, and a token already there is adopted.
 */
export async function ensureAdminToken(
  sql: SqlRunner,
  options: AdminTokenOptions,
): Promise<{ key: AdminKey; generated?: string }> {
  if (options.envToken) {
    const token = options.envToken
    return { key: { source: 'environment', verify: async (t) => safeEqual(t, token) } }
  }
  const generated = await sql.withExclusiveLock(async () => {
    if ((await sql.query(SELECT)).length > 0) return undefined
    const existing = options.tokenFile && readTokenFile(options.tokenFile)
    const token = existing || newSecret()
    await sql.query('INSERT INTO "AdminToken" (id, "tokenHash") VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      hashSecret(token),
    ])
    if (existing) return undefined
    if (options.tokenFile) writeTokenFile(options.tokenFile, token)
    return token
  })
  return { key: databaseKey(sql), ...(generated && { generated }) }
}

function databaseKey(sql: SqlRunner): AdminKey {
  return {
    source: 'database',
    // Read on every check (one primary-key lookup; admin calls are rare): a rotation made on one instance,
    // or by `pnpm admin token --rotate`, holds on every instance at once.
    async verify(token) {
      let rows: { tokenHash: string }[]
      try {
        rows = await sql.query<{ tokenHash: string }>(SELECT)
      } catch {
        throw new AppError('UNAVAILABLE', 'The database is not reachable', undefined, 1000)
      }
      const stored = rows[0]?.tokenHash
      return stored !== undefined && safeEqual(hashSecret(token), stored)
    },
  }
}

/** `pnpm admin token --rotate`: a new token replaces the stored one on every instance; returns it. */
export async function rotateAdminToken(sql: SqlRunner, tokenFile: string | undefined): Promise<string> {
  const token = newSecret()
  await sql.withExclusiveLock(async () => {
    await sql.query(
      `INSERT INTO "AdminToken" (id, "tokenHash", "createdAt") VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET "tokenHash" = EXCLUDED."tokenHash", "createdAt" = now()`,
      [hashSecret(token)],
    )
    if (tokenFile) writeTokenFile(tokenFile, token)
  })
  return token
}

const readTokenFile = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : '')

function writeTokenFile(file: string, token: string) {
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
}
