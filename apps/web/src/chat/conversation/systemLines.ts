import type { SystemLine } from '@secura/shared'
import { joinNames, type NameBook } from '../names.ts'

/** A system line in words, names resolved; "You" for the reader. */
export function systemLineText(line: SystemLine, names: NameBook, meId: string): string {
  const who = (id: string | null) => (id === null ? 'An organizer' : id === meId ? 'You' : names(id))
  const whom = (ids: string[]) => joinNames(ids.map((id) => (id === meId ? 'you' : names(id))))
  switch (line.type) {
    case 'group-created':
      return `${who(line.actorId)} created the group “${line.title ?? ''}”`
    case 'group-renamed':
      return `${who(line.actorId)} renamed the group to “${line.title ?? ''}”`
    case 'members-added':
      return `${who(line.actorId)} added ${whom(line.targetIds)}`
    case 'member-removed':
      return `${who(line.actorId)} removed ${whom(line.targetIds)}`
    case 'member-left':
      return `${who(line.targetIds[0] ?? line.actorId)} left`
    case 'guest-removed':
      return `${whom(line.targetIds)} was removed by ${line.actorId ? who(line.actorId) : 'an organizer'}`
  }
}
