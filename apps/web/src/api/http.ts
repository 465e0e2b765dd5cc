import { ApiError } from '@secura/chat-client'

// The API's error class and its fetch client live in the chat client, which speaks the same API.
export { ApiError, type ApiErrorCode, type RequestOptions, request } from '@secura/chat-client'

/** A message fit to show for any error a call can throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED') return 'Too many attempts. Wait a minute and try again.'
    if (error.code === 'UNAVAILABLE') return 'The service is busy right now. Try again in a moment.'
    if (error.code === 'INTERNAL') return 'Something went wrong on our side. Try again.'
    return error.message
  }
  return 'Something went wrong. Try again.'
}

export const isAbort = (error: unknown): boolean =>
  error instanceof DOMException && error.name === 'AbortError'
