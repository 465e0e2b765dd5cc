import type { CHAT_NAMESPACE, ClientEvents, ServerEvents } from '@secura/shared'
import { io, type Socket } from 'socket.io-client'
import type { ApiRequest } from './http.ts'
import type { ChatHttp, ChatSocket, ChatTransport } from './transport.ts'
import { type ApiUpload, uploadFile } from './upload.ts'

/** The shared CHAT_NAMESPACE, checked at compile time: its module would bring TypeBox into the bundle. */
const NAMESPACE: typeof CHAT_NAMESPACE = '/chat'

export interface SocketIoTransportOptions {
  /** The JSON API call (`request` of this package, or the app's own). */
  request: ApiRequest
  /** File uploads (default: XMLHttpRequest, for its progress events). */
  upload?: ApiUpload
  /** Bearer token for socket and REST; without it the session cookie is used. */
  token?: string
  /** Another origin than the page's (empty in the SPA). */
  baseUrl?: string
}

/**
 * The real transport: socket.io-client on `/chat` and the REST API through the given request function.
 * Without a token the httpOnly session cookie authenticates both the handshake and the requests.
 */
export function createSocketIoTransport({
  request,
  upload = uploadFile,
  token,
  baseUrl = '',
}: SocketIoTransportOptions): ChatTransport {
  return { socket: createSocketIoSocket(token, baseUrl), http: createHttp(request, upload, token, baseUrl) }
}

function createHttp(
  request: ApiRequest,
  upload: ApiUpload,
  token: string | undefined,
  baseUrl: string,
): ChatHttp {
  return {
    request: (method, path, body) =>
      request(method, `${baseUrl}${path}`, { ...(body !== undefined && { body }), token: token ?? null }),
    upload: (path, file, name, options) =>
      upload(`${baseUrl}${path}`, file, name, { ...options, token: token ?? null }),
  }
}

function createSocketIoSocket(token: string | undefined, baseUrl: string): ChatSocket {
  const socket: Socket<ServerEvents, ClientEvents> = io(`${baseUrl}${NAMESPACE}`, {
    auth: token ? { token } : {},
    withCredentials: true,
    transports: ['websocket', 'polling'],
    autoConnect: false,
  })
  // Loosely typed views: the typed overloads do not compose with the generic signatures below.
  const raw = socket as unknown as {
    on(event: string, listener: (...args: unknown[]) => void): void
    off(event: string, listener: (...args: unknown[]) => void): void
    emit(event: string, ...args: unknown[]): void
    timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<never> }
  }

  return {
    get connected() {
      return socket.connected
    },
    connect() {
      if (socket.connected) return
      // A reconnection waiting for its backoff would ignore connect(): start over to try at once.
      if (socket.active) socket.disconnect()
      socket.connect()
    },
    disconnect() {
      socket.disconnect()
    },
    onStatus(listener) {
      const onConnect = () => listener({ type: 'connect' })
      const onDisconnect = (reason: unknown) => listener({ type: 'disconnect', reason: String(reason) })
      const onError = (error: unknown) =>
        listener({ type: 'connect_error', message: error instanceof Error ? error.message : String(error) })
      const pairs: [string, (...args: unknown[]) => void][] = [
        ['connect', onConnect],
        ['disconnect', onDisconnect],
        ['connect_error', onError],
      ]
      for (const [event, fn] of pairs) raw.on(event, fn)
      return () => {
        for (const [event, fn] of pairs) raw.off(event, fn)
      }
    },
    on(event, listener) {
      const fn = listener as (...args: unknown[]) => void
      raw.on(event, fn)
      return () => raw.off(event, fn)
    },
    emitWithAck(event, payload, timeoutMs) {
      return raw.timeout(timeoutMs).emitWithAck(event, payload)
    },
    emit(event, payload) {
      raw.emit(event, payload)
    },
  }
}
