import type { ConversationSummary, User } from '@secura/shared'
import { useEffect, useMemo } from 'react'
import { useAppStore } from '../store/index.ts'

/** Display names by user id, from what the client knows: conversation members, the directory, names found by id, me. */
export type NameBook = (userId: string) => string

const UNKNOWN = 'A guest'

export function useNameBook(): NameBook {
  const conversations = useAppStore((s) => s.chat.conversations)
  const directory = useAppStore((s) => s.directory)
  const people = useAppStore((s) => s.people)
  const session = useAppStore((s) => s.session)
  const me = session.status === 'signed-in' ? session.user : null
  return useMemo(() => {
    const names = new Map<string, string>()
    for (const user of Object.values(people)) names.set(user.id, user.displayName)
    for (const user of Object.values(directory)) names.set(user.id, user.displayName)
    for (const conversation of conversations) {
      for (const member of conversation.members) names.set(member.userId, member.displayName)
    }
    if (me) names.set(me.id, me.displayName)
    return (userId: string) => names.get(userId) ?? UNKNOWN
  }, [conversations, directory, people, me])
}

/** The other person of a direct conversation. */
export function directPartner(conversation: ConversationSummary, meId: string) {
  return conversation.members.find((m) => m.userId !== meId) ?? null
}

/** How the list and the header name a conversation. */
export function conversationTitle(conversation: ConversationSummary, meId: string): string {
  switch (conversation.kind) {
    case 'event':
      // The event's name is the sidebar's heading: the lobby is called what it is, not the name again.
      return 'Lobby'
    case 'direct':
      return directPartner(conversation, meId)?.displayName ?? 'Direct message'
    case 'group':
      return conversation.title || 'Group'
  }
}

/** Makes sure these people get a name: looks up by id any the client does not know yet. */
export function useNamesFor(userIds: string[]): void {
  const lookUpNames = useAppStore((s) => s.lookUpNames)
  const key = [...new Set(userIds)].sort().join(',')
  useEffect(() => {
    if (key) lookUpNames(key.split(','))
  }, [key, lookUpNames])
}

/** One or two letters for an avatar. */
export function initials(name: string): string {
  // Words are runs of letters and digits: "Olga (Organizer)" is O and O, never "O(".
  const words = name.match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu) ?? []
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [words[0]]
  return (
    letters
      .map((w) => [...(w ?? '')][0] ?? '')
      .join('')
      .toUpperCase() || '?'
  )
}

/** "Ana", "Ana and Bo", "Ana, Bo and 3 others". */
export function joinNames(names: string[], max = 3): string {
  if (names.length <= 1) return names[0] ?? ''
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
  const rest = names.length - (max - 1)
  return `${names.slice(0, max - 1).join(', ')} and ${rest} others`
}

/** The signed-in user; the chat renders only inside a signed-in session. */
export function useMe(): User {
  const session = useAppStore((s) => s.session)
  if (session.status !== 'signed-in') throw new Error('The chat needs a signed-in user')
  return session.user
}
