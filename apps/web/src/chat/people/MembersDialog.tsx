import { LIMITS, type Member, type User } from '@secura/shared'
import { useEffect, useMemo, useState } from 'react'
import { Notice } from '../../components/Notice.tsx'
import { useAction } from '../../hooks/useAction.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { useMe } from '../names.ts'
import { Dialog } from './Dialog.tsx'
import { PeoplePicker, type Picked } from './PeoplePicker.tsx'
import { PersonLabel } from './PersonLabel.tsx'

/** A group's members: the owner adds and removes people; anyone can leave. */
export function MembersDialog({ conversationId }: { conversationId: string }) {
  const me = useMe()
  const conversation = useAppStore((s) => s.chat.conversations.find((c) => c.id === conversationId))
  const setChatDialog = useAppStore((s) => s.setChatDialog)
  const [picked, setPicked] = useState<Picked>(new Map())
  const [confirmLeave, setConfirmLeave] = useState(false)
  const [title, setTitle] = useState(conversation?.title ?? '')
  const members = conversation?.members ?? []
  const exclude = useMemo(() => new Set(members.map((m) => m.userId)), [members])
  const close = () => setChatDialog(null)
  const iOwn = members.some((m) => m.userId === me.id && m.role === 'owner')
  const roles = useEventRoles(members.map((m) => m.userId))

  const [run, { pending, error }] = useAction(async (change: () => Promise<unknown>) => {
    await change()
  })
  const { openConversation } = useAppStore.getState()
  const add = () =>
    run(async () => {
      await chatClient().addMembers(conversationId, [...picked.keys()])
      setPicked(new Map())
    })
  const rename = () => run(() => chatClient().renameGroup(conversationId, title))
  const remove = (member: Member) => run(() => chatClient().removeMembers(conversationId, [member.userId]))
  const leave = () =>
    run(async () => {
      await chatClient().removeMembers(conversationId, [me.id])
      close()
      openConversation(null)
    })

  return (
    <Dialog
      title={`Members of ${conversation?.title ?? 'the group'}`}
      onClose={close}
      testId="members-dialog"
    >
      <ul className="people-list" aria-label="Members" aria-busy={pending}>
        {members.map((member) => (
          <li key={member.userId} className="member-row" data-testid="member" data-user-id={member.userId}>
            <PersonLabel
              user={{
                id: member.userId,
                displayName: member.displayName,
                role: member.userId === me.id ? me.role : (roles[member.userId] ?? 'guest'),
              }}
              suffix={[member.userId === me.id && '(you)', member.role === 'owner' && '· owner']
                .filter(Boolean)
                .join(' ')}
            />
            {iOwn && member.userId !== me.id && (
              <button
                type="button"
                className="button button-danger button-small"
                data-testid="remove-member"
                aria-label={`Remove ${member.displayName}`}
                disabled={pending}
                onClick={() => void remove(member)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {iOwn && (
        <form
          className="rename-group"
          onSubmit={(e) => {
            e.preventDefault()
            void rename()
          }}
        >
          <div className="field">
            <label htmlFor={`title-${conversationId}`}>Group name</label>
            <input
              id={`title-${conversationId}`}
              data-testid="group-title-input"
              value={title}
              maxLength={LIMITS.titleChars}
              onChange={(e) => setTitle(e.target.value)}
            />
          </div>
          <button
            type="submit"
            className="button button-secondary"
            data-testid="rename-group"
            disabled={pending || !title.trim() || title.trim() === conversation?.title}
          >
            Rename
          </button>
        </form>
      )}
      {iOwn && (
        <div className="stack">
          <PeoplePicker label="Add people" picked={picked} onChange={setPicked} exclude={exclude} />
          <button
            type="button"
            className="button"
            data-testid="add-members"
            disabled={pending || picked.size === 0}
            onClick={() => void add()}
          >
            {picked.size ? `Add ${picked.size} ${picked.size === 1 ? 'person' : 'people'}` : 'Add people'}
          </button>
        </div>
      )}
      {error && <Notice tone="error">{error}</Notice>}
      <div className="danger-zone">
        {confirmLeave ? (
          <p className="delete-confirm">
            <span>Leave this group? You will stop receiving its messages.</span>
            <button
              type="button"
              className="button button-danger button-small"
              data-testid="confirm-leave"
              disabled={pending}
              onClick={() => void leave()}
            >
              Leave
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => setConfirmLeave(false)}
            >
              Cancel
            </button>
          </p>
        ) : (
          <button
            type="button"
            className="button button-danger"
            data-testid="leave-group"
            onClick={() => setConfirmLeave(true)}
          >
            Leave group
          </button>
        )}
      </div>
    </Dialog>
  )
}

/**
 * The event roles of these users (organizer and moderator carry a badge): what the directory and the names
 * found by id say, completed from the chat client, which asks the server for those it does not know.
 */
function useEventRoles(userIds: string[]): Record<string, User['role']> {
  const directory = useAppStore((s) => s.directory)
  const people = useAppStore((s) => s.people)
  const [found, setFound] = useState<Record<string, User['role']>>({})
  const key = [...new Set(userIds)].sort().join(',')
  useEffect(() => {
    if (!key) return
    let current = true
    chatClient()
      .findUsers(key.split(','))
      .then(
        (users) => current && setFound(Object.fromEntries(users.map((u) => [u.id, u.role]))),
        () => undefined,
      )
    return () => {
      current = false
    }
  }, [key])
  return useMemo(() => {
    const roles: Record<string, User['role']> = { ...found }
    for (const u of Object.values(people)) roles[u.id] = u.role
    for (const u of Object.values(directory)) roles[u.id] = u.role
    return roles
  }, [found, people, directory])
}
