import { type ChatError, mutedDetails } from '@secura/shared'
import { ApiError } from './http.ts'

export interface RetryPolicy {
  /** First delay; doubles on each attempt up to maxMs. */
  baseMs: number
  maxMs: number
  /** [0, 1): the jitter source (Math.random); tests pass a fixed one. */
  random: () => number
}

export const defaultRetryPolicy: RetryPolicy = { baseMs: 1000, maxMs: 30_000, random: Math.random }

/**
 * Worth trying again: no answer, the server is down or overloaded, or it asked us to slow down.
 * Any other 4xx is about the message itself: retrying the same request cannot help (protocol §6).
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return !(error instanceof TypeError || error instanceof RangeError)
  if (error.code === 'NETWORK' || error.code === 'RATE_LIMITED') return true
  // Muted: the message waits in the outbox until the mute ends (the server's retryAfterMs), never fails.
  if (isMutedRefusal(error)) return true
  return error.status === 0 || error.status >= 500
}

/** Exponential backoff with jitter (half fixed, half random), never sooner than the server asked. */
export function retryDelay(attempts: number, error: unknown, policy: RetryPolicy): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1))
  const jittered = exponential / 2 + (policy.random() * exponential) / 2
  const asked = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0
  return Math.max(asked, Math.round(jittered))
}

/** The error shown with a failed message, in the shared vocabulary. */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ApiError && error.code !== 'NETWORK') {
    return {
      code: error.code,
      message: error.message,
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
      ...(error.details !== undefined && { details: error.details }),
    }
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : 'Unknown error' }
}

/** A FORBIDDEN refusal because the user is muted (protocol §3.1). */
export const isMutedRefusal = (error: unknown): boolean =>
  error instanceof ApiError && error.code === 'FORBIDDEN' && mutedDetails(error.details) !== null
