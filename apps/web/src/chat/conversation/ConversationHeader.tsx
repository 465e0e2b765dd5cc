import type { ConversationSummary } from '@secura/shared'
import type { Ref } from 'react'
import { useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'
import { directPartner } from '../names.ts'
import { MuteToggle } from '../notify/MuteToggle.tsx'
import { PRESENCE_LABELS, PresenceDot, usePresence } from '../PresenceDot.tsx'

interface ConversationHeaderProps {
  conversation: ConversationSummary
  title: string
  meId: string
  onBack: () => void
  ref?: Ref<HTMLHeadingElement>
}

const people = (n: number) => (n === 1 ? '1 person' : `${n} people`)

/** The open conversation's name and who is in it; the way back to the list on a phone. */
export function ConversationHeader({ conversation, title, meId, onBack, ref }: ConversationHeaderProps) {
  const setChatDialog = useAppStore((s) => s.setChatDialog)
  const partner = conversation.kind === 'direct' ? directPartner(conversation, meId) : null
  const status = usePresence(partner?.userId)

  return (
    <header className="conversation-header">
      <button
        type="button"
        className="icon-button back-button"
        aria-label="Back to conversations"
        onClick={onBack}
      >
        <Icon name="back" />
      </button>
      <div className="conversation-header-text">
        <h2 ref={ref} tabIndex={-1} id="conversation-title" data-testid="conversation-title">
          {title}
        </h2>
        <p className="conversation-header-sub">
          {partner ? (
            <>
              <PresenceDot status={status} /> {PRESENCE_LABELS[status]}
            </>
          ) : conversation.kind === 'event' ? (
            `Everyone at the event · ${people(conversation.memberCount)}`
          ) : (
            `Group · ${people(conversation.memberCount)}`
          )}
        </p>
      </div>
      <MuteToggle conversationId={conversation.id} />
      {conversation.kind === 'group' && (
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="manage-members"
          onClick={() => setChatDialog('members')}
        >
          <Icon name="users" /> Members
        </button>
      )}
    </header>
  )
}
