import { normalizeName } from '@secura/shared'
import { rectifyConfusion } from 'unicode-confusables'
import type { PrismaClient } from '../../db/prisma.ts'
import { AppError } from '../../errors.ts'

const skeleton = (text: string): string =>
  rectifyConfusion(text.normalize('NFD'))
    .normalize('NFD')
    // Accents are the easiest disguise ("Alicé"): marks are left out of the comparison.
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()

/**
 * The forms two names are compared in: UTS #39 skeletons, case folded before and after, since case changes
 * which characters are confusable ("AIice" with a capital i looks like "Alice"; "ALICE" is "alice").
 */
export function nameKeys(name: string): string[] {
  return [skeleton(name).toLowerCase(), skeleton(name.toLowerCase())]
}

export function looksAlike(a: string, b: string): boolean {
  const keys = new Set(nameKeys(a))
  return nameKeys(b).some((key) => keys.has(key))
}

/**
 * The name a guest may take: NFC, and not a lookalike of an organizer's name in the same event, so nobody
 * can pass for the organizer. (Control, bidi and invisible characters were refused by the shared schema.)
 */
export async function checkedDisplayName(
  prisma: PrismaClient,
  eventId: string,
  requested: string,
): Promise<string> {
  const name = normalizeName(requested)
  const organizers = await prisma.user.findMany({
    where: { eventId, role: 'organizer' },
    select: { displayName: true },
  })
  const lookalike = organizers.find((o) => looksAlike(o.displayName, name))
  if (lookalike) {
    throw new AppError(
      'VALIDATION',
      `“${name}” looks too much like the name of an organizer of this event (“${lookalike.displayName}”). ` +
        'Please pick another name.',
      { reason: 'name', field: 'displayName' },
    )
  }
  return name
}
