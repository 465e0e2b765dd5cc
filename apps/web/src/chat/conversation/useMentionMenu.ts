import { type KeyboardEvent, useEffect, useMemo, useState } from 'react'
import { useAppStore } from '../../store/index.ts'
import { useMe } from '../names.ts'
import { activeMention, HERE, insertMention, type PickedMention } from './mentions.ts'

const SHOWN = 6
const DEBOUNCE_MS = 150

export interface MentionOption extends PickedMention {
  hint: string
}

/**
 * The composer's `@` menu: who can be mentioned here (the members of a direct or group conversation, the
 * event's directory in the lobby, and `@here` for organizers there), filtered by what follows the `@`.
 */
export function useMentionMenu(conversationId: string, text: string, caret: number) {
  const me = useMe()
  const conversation = useAppStore((s) => s.chat.conversations.find((c) => c.id === conversationId))
  const searchUsers = useAppStore((s) => s.searchUsers)
  const [dismissedAt, setDismissedAt] = useState<number | null>(null)
  const [highlighted, setHighlighted] = useState(0)
  const [found, setFound] = useState<{ query: string; options: MentionOption[] } | null>(null)
  const active = activeMention(text, caret)
  const open = active !== null && active.start !== dismissedAt
  const query = open ? active.query.toLowerCase() : null
  const lobby = conversation?.kind === 'event'

  // The lobby lists no members: ask the directory, a moment after the last key.
  useEffect(() => {
    if (query === null || !lobby) return
    let current = true
    const timer = window.setTimeout(() => {
      searchUsers(query).then(
        (users) => {
          if (!current) return
          const options = users
            .filter((u) => u.id !== me.id)
            .map((u) => ({ id: u.id, name: u.displayName, hint: u.role === 'guest' ? '' : u.role }))
          setFound({ query, options })
        },
        () => undefined,
      )
    }, DEBOUNCE_MS)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
  }, [query, lobby, searchUsers, me.id])

  const options = useMemo((): MentionOption[] => {
    if (query === null || !conversation) return []
    const here =
      lobby && me.role === 'organizer' && HERE.startsWith(query)
        ? [{ id: HERE, name: HERE, hint: 'everyone in the event' }]
        : []
    const people = lobby
      ? // An answer to an earlier query narrows to this one until its own comes.
        (found?.options ?? []).filter((o) => o.name.toLowerCase().includes(query))
      : conversation.members
          .filter((m) => m.userId !== me.id && m.displayName.toLowerCase().includes(query))
          .map((m) => ({ id: m.userId, name: m.displayName, hint: '' }))
    return [...here, ...people].slice(0, SHOWN)
  }, [query, conversation, lobby, me, found])

  useEffect(() => setHighlighted(0), [query])

  return {
    open: open && options.length > 0,
    options,
    highlighted: Math.min(highlighted, Math.max(0, options.length - 1)),
    /** The text and caret once `option` replaces the `@query`. */
    pick(option: MentionOption) {
      if (!active) return null
      return insertMention(text, caret, active.start, option.name)
    },
    /** Arrow keys move, Enter and Tab pick, Esc closes; true when the key was the menu's. */
    key(event: KeyboardEvent, onPick: (option: MentionOption) => void): boolean {
      if (!open || options.length === 0) return false
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        const step = event.key === 'ArrowDown' ? 1 : -1
        setHighlighted((h) => (h + step + options.length) % options.length)
      } else if (event.key === 'Enter' || event.key === 'Tab') {
        onPick(options[Math.min(highlighted, options.length - 1)]!)
      } else if (event.key === 'Escape') {
        setDismissedAt(active.start)
      } else return false
      event.preventDefault()
      return true
    },
  }
}
