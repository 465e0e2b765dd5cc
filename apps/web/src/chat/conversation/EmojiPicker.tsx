import { type KeyboardEvent, useEffect, useRef } from 'react'
import { REACTION_CHOICES } from './reactions.ts'

/** A row of common emoji; arrow keys move between them, the first one takes focus when it opens. */
export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const ref = useRef<HTMLFieldSetElement>(null)
  useEffect(() => {
    ref.current?.querySelector('button')?.focus()
  }, [])

  const move = (event: KeyboardEvent<HTMLFieldSetElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0
    if (!step || !ref.current) return
    event.preventDefault()
    const buttons = [...ref.current.querySelectorAll('button')]
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement)
    buttons.at((index + step) % buttons.length)?.focus()
  }

  return (
    <fieldset ref={ref} className="button-group emoji-picker" onKeyDown={move}>
      <legend className="sr-only">Choose a reaction</legend>
      {REACTION_CHOICES.map(({ emoji, label }) => (
        <button
          key={emoji}
          type="button"
          className="emoji-option"
          aria-label={`React with ${label}`}
          title={label}
          data-testid="emoji-option"
          data-emoji={emoji}
          onClick={() => onPick(emoji)}
        >
          {emoji}
        </button>
      ))}
    </fieldset>
  )
}
