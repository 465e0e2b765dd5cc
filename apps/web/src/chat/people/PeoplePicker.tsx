import { useState } from 'react'
import { Notice } from '../../components/Notice.tsx'
import { Icon } from '../Icon.tsx'
import { PersonLabel } from './PersonLabel.tsx'
import { SearchField } from './SearchField.tsx'
import { useDirectorySearch } from './useDirectorySearch.ts'

/** Chosen people, by id, with the name to show. */
export type Picked = Map<string, string>

interface PeoplePickerProps {
  picked: Picked
  onChange: (picked: Picked) => void
  /** Already in (and me): not offered. */
  exclude: Set<string>
  label: string
}

/** Search the directory and tick people; the chosen ones show as removable chips. */
export function PeoplePicker({ picked, onChange, exclude, label }: PeoplePickerProps) {
  const [query, setQuery] = useState('')
  const { users, error } = useDirectorySearch(query)
  const offered = users?.filter((u) => !exclude.has(u.id)) ?? null

  const toggle = (id: string, name: string) => {
    const next = new Map(picked)
    if (next.has(id)) next.delete(id)
    else next.set(id, name)
    onChange(next)
  }

  return (
    <fieldset className="people-picker">
      <legend>{label}</legend>
      {picked.size > 0 && (
        <ul className="chips" aria-label="Chosen">
          {[...picked].map(([id, name]) => (
            <li key={id} className="chip">
              {name}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${name}`}
                onClick={() => toggle(id, name)}
              >
                <Icon name="close" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <SearchField label="Search by name" value={query} onChange={setQuery} />
      {error && <Notice tone="error">{error}</Notice>}
      {offered === null && <p className="muted">Loading people…</p>}
      {offered?.length === 0 && <p className="muted">No one else to add.</p>}
      {offered && offered.length > 0 && (
        <ul className="people-list">
          {offered.map((user) => (
            <li key={user.id}>
              <label className="person-option" data-testid="pick-user" data-user-id={user.id}>
                <input
                  type="checkbox"
                  checked={picked.has(user.id)}
                  onChange={() => toggle(user.id, user.displayName)}
                />
                <PersonLabel user={user} />
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  )
}
