import type { ConnectionState } from '@secura/chat-client'
import { useAppStore } from '../store/index.ts'

function describe(connection: ConnectionState, waiting: number): string {
  const queued = waiting > 0 ? ` ${waiting === 1 ? '1 message is' : `${waiting} messages are`} waiting.` : ''
  switch (connection) {
    case 'connected':
      return 'Connected'
    case 'connecting':
      // A network that takes requests nowhere can hold the first connect for a while: say what waits.
      return `Connecting…${queued}`
    case 'reconnecting':
      return `Reconnecting… Your messages are still being sent.${queued}`
    case 'offline':
      return `You're offline — your messages will be sent when you're back.${queued}`
  }
}

/** The state of the live connection: silent when connected (screen readers hear it come back), visible otherwise. */
export function ConnectionBanner() {
  const connection = useAppStore((s) => s.chat.connection)
  const outboxSize = useAppStore((s) => s.chat.outboxSize)
  return (
    <div
      className={`connection-banner connection-${connection}`}
      role="status"
      data-testid="connection-banner"
      data-state={connection}
    >
      {describe(connection, outboxSize)}
    </div>
  )
}
