import { LIMITS, newId } from '@secura/shared'
import type { DraftFile } from '../../store/attachments.slice.ts'
import { useAppStore } from '../../store/index.ts'
import { isAcceptedType, prepareUpload, refusal } from './prepareUpload.ts'

/**
 * Files picked, pasted or dropped for the next message: checked against the shared limits (what cannot go
 * is said at once, nothing of it uploaded), huge photos made smaller, then shown in the composer.
 */
export async function addToDraft(conversationId: string, picked: readonly File[]): Promise<void> {
  const { attachmentDrafts, addDraftFiles, setChatNotice } = useAppStore.getState()
  const room = LIMITS.attachmentsPerMessage - (attachmentDrafts[conversationId]?.length ?? 0)
  const problems: string[] = []
  const accepted = picked.filter((file) => {
    if (isAcceptedType(file)) return true
    problems.push(`${file.name || 'This file'}: only photos, PDF and text files can be sent`)
    return false
  })
  if (accepted.length > room) {
    problems.push(`A message can carry at most ${LIMITS.attachmentsPerMessage} photos or files`)
    accepted.splice(Math.max(0, room))
  }
  const ready: DraftFile[] = []
  for (const file of accepted) {
    const prepared = await prepareUpload(file)
    const problem = refusal(prepared)
    if (problem) {
      problems.push(problem)
      continue
    }
    const isImage = prepared.blob.type.startsWith('image/')
    ready.push({
      id: newId(),
      ...prepared,
      previewUrl: isImage ? URL.createObjectURL(prepared.blob) : null,
    })
  }
  if (ready.length > 0) addDraftFiles(conversationId, ready)
  setChatNotice(problems.length > 0 ? problems.join('. ') : null)
}

/** The files of a clipboard or a drop (items that are not files, such as text, are left out). */
export function filesOf(data: DataTransfer | null): File[] {
  return data ? [...data.files] : []
}
