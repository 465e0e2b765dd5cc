import type { Ack, AckCallback, ChatError, ClientEvents, ErrorStatus, ServerEvents } from '@secura/shared'
import { ApiError } from './http.ts'
import type { UploadOptions } from './upload.ts'

/**
 * What the storage module needs from the network: the socket.io `/chat` namespace and the REST API. The
 * real implementation (socket-io.ts) wraps socket.io-client and a request function (http.ts); tests pass
 * a scripted one.
 */

export type ClientEventName = keyof ClientEvents
export type ClientPayload<E extends ClientEventName> = Parameters<ClientEvents[E]>[0]
export type AckData<E extends ClientEventName> =
  NonNullable<Parameters<ClientEvents[E]>[1]> extends AckCallback<infer T> ? T : never
export type ServerEventName = keyof ServerEvents

export type SocketStatus =
  | { type: 'connect' }
  | { type: 'disconnect'; reason: string }
  /** The handshake was refused or failed; `message` is an error code when the server refused it. */
  | { type: 'connect_error'; message: string }

export interface ChatSocket {
  readonly connected: boolean
  /** Connects, or when a reconnection is waiting for its backoff, tries again at once. */
  connect(): void
  disconnect(): void
  onStatus(listener: (status: SocketStatus) => void): () => void
  on<E extends ServerEventName>(event: E, listener: ServerEvents[E]): () => void
  /** Emits and waits for the ack; rejects when there is none within `timeoutMs` or the socket drops. */
  emitWithAck<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs: number,
  ): Promise<Ack<AckData<E>>>
  /** Fire and forget (typing). */
  emit<E extends ClientEventName>(event: E, payload: ClientPayload<E>): void
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface ChatHttp {
  /** Resolves with the parsed body or throws an ApiError (`NETWORK` when nothing answered). */
  request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T>
  /** One file to `POST path` as multipart (field `file`), reporting progress; throws an ApiError. */
  upload<T>(path: string, file: Blob, name: string, options?: Omit<UploadOptions, 'token'>): Promise<T>
}

export interface ChatTransport {
  socket: ChatSocket
  http: ChatHttp
}

/**
 * The HTTP status of each error code, checked against the shared table at compile time. Importing that
 * table's module would put TypeBox (its schemas build at load) in the SPA's first download.
 */
const STATUS = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies typeof ErrorStatus

/** The error an ack carried, in the same class as REST errors, so one policy handles both. */
export function ackError(error: ChatError): ApiError {
  const status: number = STATUS[error.code] ?? 500
  return new ApiError(error.code, status, error.message, error.details, error.retryAfterMs)
}

/** No ack in time, or the socket dropped while waiting: the server may or may not have acted. */
export class NoAckError extends ApiError {
  constructor(event: string) {
    super('NETWORK', 0, `No answer to ${event} in time`)
  }
}

/** Socket first (ack timeout), then HTTP when the socket is down or silent; an ack error is final. */
export async function callServer<E extends ClientEventName>(
  socket: ChatSocket,
  ackTimeoutMs: number,
  event: E,
  payload: ClientPayload<E>,
  viaHttp: () => Promise<AckData<E>>,
): Promise<AckData<E>> {
  if (socket.connected) {
    let ack: Ack<AckData<E>> | undefined
    try {
      ack = await socket.emitWithAck(event, payload, ackTimeoutMs)
    } catch {
      // Timed out or dropped: fall through to HTTP. Commands are idempotent on the server.
    }
    if (ack) {
      if (ack.ok) return ack.data
      throw ackError(ack.error)
    }
  }
  return viaHttp()
}
