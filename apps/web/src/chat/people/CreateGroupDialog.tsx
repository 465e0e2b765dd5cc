import { LIMITS } from '@secura/shared'
import { type FormEvent, useId, useMemo, useState } from 'react'
import { Notice } from '../../components/Notice.tsx'
import { useAction } from '../../hooks/useAction.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { useMe } from '../names.ts'
import { Dialog } from './Dialog.tsx'
import { PeoplePicker, type Picked } from './PeoplePicker.tsx'

/** A titled group with the people I pick; I am its owner. */
export function CreateGroupDialog() {
  const me = useMe()
  const setChatDialog = useAppStore((s) => s.setChatDialog)
  const [title, setTitle] = useState('')
  const [picked, setPicked] = useState<Picked>(new Map())
  const titleId = useId()
  const exclude = useMemo(() => new Set([me.id]), [me.id])
  const close = () => setChatDialog(null)
  const [create, { pending, error }] = useAction(async () => {
    const conversation = await chatClient().createGroup(title.trim(), [...picked.keys()])
    close()
    useAppStore.getState().openConversation(conversation.id)
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (title.trim()) void create()
  }

  return (
    <Dialog title="New group" onClose={close} testId="create-group-dialog">
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor={titleId}>Group name</label>
          <input
            id={titleId}
            required
            maxLength={LIMITS.titleChars}
            data-testid="group-title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <PeoplePicker label="Members" picked={picked} onChange={setPicked} exclude={exclude} />
        {error && <Notice tone="error">{error}</Notice>}
        <button
          type="submit"
          className="button"
          data-testid="create-group"
          disabled={pending || !title.trim()}
        >
          {pending
            ? 'Creating…'
            : picked.size
              ? `Create group with ${picked.size + 1} people`
              : 'Create group'}
        </button>
      </form>
    </Dialog>
  )
}
