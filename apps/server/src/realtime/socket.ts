import type { ClientEvents, ServerEvents } from '@secura/shared'
import type { Namespace, Server, Socket } from 'socket.io'
import type { Authenticated } from '../modules/identity/identity.service.ts'

export interface SocketData {
  user: Authenticated['user']
  sessionId: string
  /** When the session expires (epoch ms): every command and a timer compare it with the clock. */
  expiresAt: number
  /** When this socket's last `presence:activity` reached the presence store (epoch ms). */
  lastActivityAt?: number
}
export type ChatServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>
export type ChatNamespace = Namespace<ClientEvents, ServerEvents, Record<string, never>, SocketData>
export type ChatSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>
