import { type PrismaClient, rawQuery } from './prisma.ts'

/**
 * Takes the lease `name` for `forMs` when it is free, expired, or already this holder's: true when taken.
 * One statement on the database's clock, so instances of a cluster agree on who holds it without Redis.
 */
export async function takeLease(
  prisma: PrismaClient,
  name: string,
  holder: string,
  forMs: number,
): Promise<boolean> {
  const rows = await rawQuery(prisma)<{ holder: string }>(
    'lease.take',
    `INSERT INTO "Lease" (name, holder, "heldUntil")
       VALUES ($1, $2, now() + $3::int * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "heldUntil" = EXCLUDED."heldUntil"
       WHERE "Lease"."heldUntil" <= now() OR "Lease".holder = EXCLUDED.holder
     RETURNING holder`,
    [name, holder, forMs],
  )
  return rows.length === 1
}
