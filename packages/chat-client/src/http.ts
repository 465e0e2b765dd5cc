import type { ErrorCode } from '@secura/shared'
import type { HttpMethod } from './transport.ts'

/** `NETWORK`: the request never got an answer (offline, server down, proxy error page). */
export type ApiErrorCode = ErrorCode | 'NETWORK'

/** A failed API call, in the shared error vocabulary (`{error:{code,message,details?}}`). */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** `details.reason`, when the server gave one (e.g. why an invitation cannot be used). */
  get reason(): string | undefined {
    const details = this.details
    if (details && typeof details === 'object' && 'reason' in details && typeof details.reason === 'string') {
      return details.reason
    }
    return undefined
  }
}

export interface RequestOptions {
  body?: unknown
  /** Sent as `Authorization: Bearer`; without it the session cookie identifies the caller. */
  token?: string | null
  signal?: AbortSignal
}

/**
 * How the client calls the JSON API: resolves with the parsed body (undefined for 204), or throws an
 * ApiError (`NETWORK` when nothing answered). `request` below is the fetch implementation.
 */
export type ApiRequest = <T>(method: HttpMethod, path: string, options?: RequestOptions) => Promise<T>

/** Calls the JSON API with fetch; resolves with the parsed body (undefined for 204), or throws an ApiError. */
export async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  // A body-less request sends no content-type: the server rejects an empty JSON body.
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (options.token) headers.Authorization = `Bearer ${options.token}`

  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError('NETWORK', 0, 'Cannot reach the server. Check your connection and try again.')
  }

  if (response.status === 204) return undefined as T
  const payload: unknown = await response.json().catch(() => undefined)
  if (response.ok) return payload as T
  throw toApiError(response.status, payload)
}

export function toApiError(status: number, payload: unknown): ApiError {
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : undefined
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const retryAfterMs = typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined
    return new ApiError(error.code as ErrorCode, status, error.message, error.details, retryAfterMs)
  }
  // Not our error shape: a proxy or gateway answered, so the server itself was not reached.
  return new ApiError('NETWORK', status, `The server is not responding properly (HTTP ${status}). Try again.`)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null
