import { Notice } from '../components/Notice.tsx'
import { useAppStore } from '../store/index.ts'
import { Icon } from './Icon.tsx'

/** Why the last chat action failed, until dismissed or the next action. */
export function ChatNotice() {
  const notice = useAppStore((s) => s.chatNotice)
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  if (!notice) return null
  return (
    <div className="chat-notice" data-testid="chat-notice">
      <Notice tone="error">{notice}</Notice>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setChatNotice(null)}>
        <Icon name="close" />
      </button>
    </div>
  )
}
