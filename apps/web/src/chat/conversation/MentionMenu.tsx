import type { MentionOption } from './useMentionMenu.ts'

/** The `@` suggestions above the composer; the input keeps the focus (a listbox of its combobox). */
export function MentionMenu({
  id,
  options,
  highlighted,
  onPick,
}: {
  id: string
  options: MentionOption[]
  highlighted: number
  onPick: (option: MentionOption) => void
}) {
  return (
    <div
      className="mention-menu"
      id={id}
      role="listbox"
      aria-label="People to mention"
      data-testid="mention-menu"
    >
      {options.map((option, index) => (
        <div
          key={option.id}
          id={`${id}-${index}`}
          role="option"
          tabIndex={-1}
          aria-selected={index === highlighted}
          className="mention-option"
          data-testid="mention-option"
          // Down, not click: the input must not lose the focus (and the caret) first.
          onMouseDown={(event) => {
            event.preventDefault()
            onPick(option)
          }}
        >
          <span className="mention-option-name">@{option.name}</span>
          {option.hint && <span className="mention-option-hint">{option.hint}</span>}
        </div>
      ))}
    </div>
  )
}
