import type { StateCreator } from 'zustand'
import type { AppState } from './index.ts'

/** A photo or file picked for the next message, ready to send (made smaller already if it was huge). */
export interface DraftFile {
  id: string
  blob: Blob
  name: string
  /** An object URL for the preview of an image; revoked when the file leaves the draft. */
  previewUrl: string | null
}

export interface AttachmentsSlice {
  /** Per conversation: the files picked for the message being written (this tab only). */
  attachmentDrafts: Record<string, DraftFile[]>
  addDraftFiles: (conversationId: string, files: DraftFile[]) => void
  removeDraftFile: (conversationId: string, id: string) => void
  /** Empties the draft (sent). */
  clearDraftFiles: (conversationId: string) => void
  /** Empties every draft: the chat stops (sign-out), and a shared device shows the next guest nothing. */
  clearAllDraftFiles: () => void
}

const revoke = (files: DraftFile[] | undefined) => {
  for (const f of files ?? []) if (f.previewUrl) URL.revokeObjectURL(f.previewUrl)
}

export const createAttachmentsSlice: StateCreator<AppState, [], [], AttachmentsSlice> = (set, get) => ({
  attachmentDrafts: {},
  addDraftFiles: (conversationId, files) =>
    set((s) => ({
      attachmentDrafts: {
        ...s.attachmentDrafts,
        [conversationId]: [...(s.attachmentDrafts[conversationId] ?? []), ...files],
      },
    })),
  removeDraftFile: (conversationId, id) => {
    const current = get().attachmentDrafts[conversationId] ?? []
    revoke(current.filter((f) => f.id === id))
    set((s) => ({
      attachmentDrafts: { ...s.attachmentDrafts, [conversationId]: current.filter((f) => f.id !== id) },
    }))
  },
  clearDraftFiles: (conversationId) => {
    revoke(get().attachmentDrafts[conversationId])
    set((s) => {
      const { [conversationId]: _cleared, ...rest } = s.attachmentDrafts
      return { attachmentDrafts: rest }
    })
  },
  clearAllDraftFiles: () => {
    for (const files of Object.values(get().attachmentDrafts)) revoke(files)
    set({ attachmentDrafts: {} })
  },
})
