import http from 'node:http'
import https from 'node:https'
import type { PushPayload } from '@secura/shared'
import webpush from 'web-push'
import { checkEndpoint, type EndpointPolicy, guardedLookup } from './endpoint.ts'
import type { VapidKeys } from './vapid.ts'

export interface PushTarget {
  id: string
  endpoint: string
  p256dh: string
  auth: string
}

export interface Delivery {
  target: PushTarget
  payload: PushPayload
  urgency: 'high' | 'normal'
  /** The conversation's id without dashes: the push service keeps only the latest of a topic waiting. */
  topic: string
}

export interface SenderOptions {
  vapid: VapidKeys
  subject: string
  policy: EndpointPolicy
  /** How long the push service keeps a message for a device that is off (seconds). */
  ttlSeconds: number
  timeoutMs: number
}

/**
 * Sends one push: web-push encrypts the payload (RFC 8291, aes128gcm) and signs the VAPID JWT; the request
 * itself is ours, so that the address check runs at connection time and redirects are never followed.
 * Resolves with the push service's status code; rejects on a network failure or a refused address.
 */
export function pushSender(options: SenderOptions) {
  const lookup = guardedLookup(options.policy)
  return (delivery: Delivery): Promise<number> => {
    const url = checkEndpoint(delivery.target.endpoint, options.policy)
    const details = webpush.generateRequestDetails(
      {
        endpoint: delivery.target.endpoint,
        keys: { p256dh: delivery.target.p256dh, auth: delivery.target.auth },
      },
      JSON.stringify(delivery.payload),
      {
        vapidDetails: { subject: options.subject, ...options.vapid },
        TTL: options.ttlSeconds,
        urgency: delivery.urgency,
        // A newer message of the conversation replaces one still waiting for the device (32 characters at most).
        topic: delivery.topic,
        contentEncoding: 'aes128gcm',
      },
    )
    const client = url.protocol === 'http:' ? http : https
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        { method: 'POST', headers: details.headers, lookup, timeout: options.timeoutMs },
        (response) => {
          response.resume()
          response.on('end', () => resolve(response.statusCode ?? 0))
          response.on('error', reject)
        },
      )
      request.on('timeout', () => request.destroy(new Error('push service timed out')))
      request.on('error', reject)
      request.end(details.body ?? undefined)
    })
  }
}

export interface QueueOptions<T> {
  concurrency: number
  /** Beyond this many waiting, new jobs are dropped (counted): a flood of pushes never grows memory. */
  maxQueued: number
  run(job: T): Promise<void>
  onDropped(job: T): void
}

/** Jobs run off the caller's path, `concurrency` at a time, in order; nothing is retried. */
export function boundedQueue<T>({ concurrency, maxQueued, run, onDropped }: QueueOptions<T>) {
  const waiting: T[] = []
  let running = 0
  let idleWaiters: (() => void)[] = []

  function next() {
    while (running < concurrency && waiting.length > 0) {
      const job = waiting.shift() as T
      running++
      run(job)
        .catch(() => {})
        .finally(() => {
          running--
          next()
        })
    }
    if (running === 0 && waiting.length === 0) {
      for (const resolve of idleWaiters) resolve()
      idleWaiters = []
    }
  }

  return {
    push(job: T) {
      if (waiting.length >= maxQueued) return onDropped(job)
      waiting.push(job)
      queueMicrotask(next)
    },
    /** Resolves when nothing is waiting or running (tests, shutdown). */
    idle(): Promise<void> {
      if (running === 0 && waiting.length === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    /** Forgets what has not started. */
    clear() {
      waiting.length = 0
    },
  }
}
