import { newId } from '@secura/shared'
import type { OutboxFile } from './db.ts'
import { ApiError } from './http.ts'
import type { OutgoingFile } from './types.ts'

/** A picked file as the outbox keeps it: its bytes, and a key of its own from now on. */
export function toOutboxFile({ blob, name }: OutgoingFile): OutboxFile {
  return { localId: newId(), name, type: blob.type, size: blob.size, blob }
}

/** Uploads made again for one message before its refusal is final (the server keeps refusing them). */
export const MAX_UPLOAD_AGAIN = 3

/** The upload ids a send refusal names as not (or no longer) the sender's to send (`details.missing`). */
export function missingUploads(error: unknown): Set<string> {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION') return new Set()
  const details = error.details
  const missing = details && typeof details === 'object' && 'missing' in details ? details.missing : undefined
  return new Set(Array.isArray(missing) ? missing.filter((id) => typeof id === 'string') : [])
}

export function withoutUpload(file: OutboxFile): OutboxFile {
  const { attachment: _attachment, ...rest } = file
  return rest
}
