import { useState } from 'react'
import { Notice } from '../../components/Notice.tsx'
import { useAction } from '../../hooks/useAction.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { useMe } from '../names.ts'
import { Dialog } from './Dialog.tsx'
import { PersonLabel } from './PersonLabel.tsx'
import { SearchField } from './SearchField.tsx'
import { useDirectorySearch } from './useDirectorySearch.ts'

/** The event's directory: find someone by name and open (or start) the direct conversation with them. */
export function DirectoryDialog() {
  const me = useMe()
  const setChatDialog = useAppStore((s) => s.setChatDialog)
  const [query, setQuery] = useState('')
  const { users, error } = useDirectorySearch(query)
  const close = () => setChatDialog(null)
  const [start, { pending, error: startError }] = useAction(async (userId: string) => {
    const conversation = await chatClient().createDirect(userId)
    close()
    useAppStore.getState().openConversation(conversation.id)
  })
  const others = users?.filter((u) => u.id !== me.id) ?? null

  return (
    <Dialog title="New message" onClose={close} testId="directory-dialog">
      <SearchField label="Find people at this event" value={query} onChange={setQuery} />
      {(error || startError) && <Notice tone="error">{error ?? startError}</Notice>}
      {others === null ? (
        <p className="muted">Loading people…</p>
      ) : others.length === 0 ? (
        <p className="muted">
          {query.trim() ? `No one called “${query.trim()}”.` : 'No one else has joined yet.'}
        </p>
      ) : (
        <ul className="people-list" aria-label="People" aria-busy={pending}>
          {others.map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className="person-button"
                data-testid="directory-user"
                data-user-id={user.id}
                disabled={pending}
                onClick={() => void start(user.id)}
              >
                <PersonLabel user={user} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  )
}
