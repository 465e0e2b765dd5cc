import { ApiError, toApiError } from './http.ts'

export interface UploadOptions {
  /** Bytes of the request body sent so far, of `total`. */
  onProgress?: (sent: number, total: number) => void
  signal?: AbortSignal
  /** Sent as `Authorization: Bearer`; without it the session cookie identifies the caller. */
  token?: string | null
  /**
   * The file's own key (`Idempotency-Key`), the same on every attempt: an upload made again after its answer
   * was lost is answered with the attachment the first made (protocol §4), not stored twice.
   */
  key?: string
}

/** Sends one file to an upload route; resolves with the parsed body or throws an ApiError (or an AbortError). */
export type ApiUpload = <T>(path: string, file: Blob, name: string, options?: UploadOptions) => Promise<T>

/**
 * One file as multipart/form-data (field `file`) with XMLHttpRequest: unlike fetch, it reports upload
 * progress in every browser, and on plain http too.
 */
export function uploadFile<T>(
  path: string,
  file: Blob,
  name: string,
  options: UploadOptions = {},
): Promise<T> {
  const { signal, onProgress, token, key } = options
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError())
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    if (key) xhr.setRequestHeader('Idempotency-Key', key)
    if (onProgress)
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
    const onAbort = () => xhr.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => signal?.removeEventListener('abort', onAbort)
    xhr.onload = () => {
      done()
      let payload: unknown
      try {
        payload = xhr.responseText ? JSON.parse(xhr.responseText) : undefined
      } catch {
        payload = undefined
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(payload as T)
      else reject(toApiError(xhr.status, payload))
    }
    xhr.onerror = xhr.ontimeout = () => {
      done()
      reject(new ApiError('NETWORK', 0, 'Cannot reach the server. Check your connection and try again.'))
    }
    xhr.onabort = () => {
      done()
      reject(abortError())
    }
    const form = new FormData()
    form.append('file', file, name)
    xhr.send(form)
  })
}

const abortError = () => new DOMException('The upload was cancelled', 'AbortError')
