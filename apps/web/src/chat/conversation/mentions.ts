/** A person picked in the composer's `@` menu; `here` stands for everyone in the lobby. */
export interface PickedMention {
  id: string
  name: string
}

export const HERE = 'here'
const MAX_QUERY = 40

/** The `@query` being typed just before the caret, if any: `@` at the start or after a space. */
export function activeMention(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const at = before.lastIndexOf('@')
  if (at < 0 || (at > 0 && !/\s/.test(before[at - 1]!))) return null
  const query = before.slice(at + 1)
  if (query.length > MAX_QUERY || /^\s|\n|\s\s/.test(query)) return null
  return { start: at, query }
}

/** The text with the `@query` before the caret replaced by `@label `, and where the caret goes. */
export function insertMention(text: string, caret: number, start: number, label: string) {
  const inserted = `@${label} `
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length }
}

/** The picked people whose `@Name` is still in the text: what the message mentions. */
export function mentionedIn(text: string, picked: PickedMention[]): { userIds: string[]; here: boolean } {
  const kept = picked.filter((p) => text.includes(`@${p.name}`))
  return {
    userIds: [...new Set(kept.filter((p) => p.id !== HERE).map((p) => p.id))],
    here: kept.some((p) => p.id === HERE),
  }
}

export type MentionPart = { kind: 'text'; text: string } | { kind: 'mention'; text: string; me: boolean }

/**
 * Splits text at the `@Name` of each mentioned person (longest names first, so "Ana Duarte" wins over
 * "Ana"). Only the message's own mention ids make chips: text that merely looks like a mention stays text.
 */
export function splitMentions(text: string, mentioned: { name: string; me: boolean }[]): MentionPart[] {
  const labels = [...mentioned].sort((a, b) => b.name.length - a.name.length)
  const parts: MentionPart[] = []
  let plain = ''
  let i = 0
  while (i < text.length) {
    const hit = text[i] === '@' ? labels.find((l) => text.startsWith(`@${l.name}`, i)) : undefined
    if (hit) {
      if (plain) parts.push({ kind: 'text', text: plain })
      plain = ''
      parts.push({ kind: 'mention', text: `@${hit.name}`, me: hit.me })
      i += hit.name.length + 1
    } else {
      plain += text[i]
      i++
    }
  }
  if (plain) parts.push({ kind: 'text', text: plain })
  return parts
}
