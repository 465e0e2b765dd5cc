import { lazy, Suspense } from 'react'
import { useAppStore } from '../../store/index.ts'

// Rarely opened, so not part of the first download.
const DirectoryDialog = lazy(() =>
  import('./DirectoryDialog.tsx').then((m) => ({ default: m.DirectoryDialog })),
)
const CreateGroupDialog = lazy(() =>
  import('./CreateGroupDialog.tsx').then((m) => ({ default: m.CreateGroupDialog })),
)
const MembersDialog = lazy(() => import('./MembersDialog.tsx').then((m) => ({ default: m.MembersDialog })))

/** The dialog the chat has open, if any. */
export function ChatDialogs() {
  const dialog = useAppStore((s) => s.chatDialog)
  const activeId = useAppStore((s) => s.activeConversationId)
  return (
    <Suspense fallback={null}>
      {dialog === 'directory' && <DirectoryDialog />}
      {dialog === 'new-group' && <CreateGroupDialog />}
      {dialog === 'members' && activeId && <MembersDialog conversationId={activeId} />}
    </Suspense>
  )
}
