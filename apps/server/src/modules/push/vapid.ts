import webpush from 'web-push'
import type { SqlRunner } from '../../db/prisma.ts'

export interface VapidKeys {
  publicKey: string
  privateKey: string
}

/**
 * The VAPID key pair push messages are signed with: VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY when set, otherwise
 * the pair the first instance generated, under the migration lock like the admin token, so that instances
 * starting together agree on one. The private key is stored as is: it signs every push (unlike the admin
 * token, it cannot be kept as a hash). Subscriptions are bound to the public key, so it must not change.
 */
export async function ensureVapidKeys(sql: SqlRunner, fromEnv: Partial<VapidKeys>): Promise<VapidKeys> {
  if (fromEnv.publicKey && fromEnv.privateKey)
    return { publicKey: fromEnv.publicKey, privateKey: fromEnv.privateKey }
  const select = () => sql.query<VapidKeys>('SELECT "publicKey", "privateKey" FROM "VapidKeys" WHERE id = 1')
  const existing = (await select())[0]
  if (existing) return existing
  return sql.withExclusiveLock(async () => {
    const stored = (await select())[0]
    if (stored) return stored
    const keys = webpush.generateVAPIDKeys()
    await sql.query(
      'INSERT INTO "VapidKeys" (id, "publicKey", "privateKey") VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING',
      [keys.publicKey, keys.privateKey],
    )
    return (await select())[0] ?? keys
  })
}
