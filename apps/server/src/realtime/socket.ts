import type { ClientEvents, ServerEvents } from '@secura/shared'
import type { Namespace, Server, Socket } from 'socket.io'
import type { Authenticated } from '../modules/identity/identity.service.ts'

export interface SocketData {
  user: Authenticated['user']
  sessionId: string
}
export type ChatServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>
export type ChatNamespace = Namespace<ClientEvents, ServerEvents, Record<string, never>, SocketData>
export type ChatSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>
