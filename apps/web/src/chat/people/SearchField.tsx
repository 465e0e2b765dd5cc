import { LIMITS } from '@secura/shared'
import { useId } from 'react'

/** The name search of the directory. */
export function SearchField({
  value,
  onChange,
  label,
}: {
  value: string
  onChange: (v: string) => void
  label: string
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        autoComplete="off"
        maxLength={LIMITS.displayNameChars}
        placeholder="Type a name"
        data-testid="directory-search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  )
}
