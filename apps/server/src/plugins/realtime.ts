import {
  CHAT_NAMESPACE,
  type ClientEvents,
  compile,
  HandshakeAuth,
  Room,
  type ServerEvents,
} from '@secura/shared'
import { createAdapter } from '@socket.io/redis-adapter'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Namespace, Server, type Socket } from 'socket.io'
import { type AppError, toAppError } from '../errors.ts'
import type { Authenticated } from '../modules/identity/identity.service.ts'
import { type Publisher, sessionRoom } from '../modules/ports.ts'
import { type CommandTracker, commandTracker } from '../realtime/in-flight.ts'
import { SESSION_COOKIE } from './auth.ts'

export interface SocketData {
  user: Authenticated['user']
  sessionId: string
  /** When the session expires (epoch ms): every command and a timer compare it with the clock. */
  expiresAt: number
}
export type ChatServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>
export type ChatNamespace = Namespace<ClientEvents, ServerEvents, Record<string, never>, SocketData>
export type ChatSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>

declare module 'fastify' {
  interface FastifyInstance {
    io: ChatServer
    chat: ChatNamespace
    publisher: Publisher
    /** Socket commands being answered here: refused, then waited for, on shutdown. */
    socketCommands: CommandTracker
  }
}

/** How long a shutting-down instance waits for the socket commands it is answering. */
const DRAIN_MS = 5000

const handshakeAuth = compile(HandshakeAuth)

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}

function refusal(code: AppError['code'], message: string): Error {
  // socket.io hands `message` and `data` to the client's connect_error.
  return Object.assign(new Error(code), { data: { code, message } })
}

/**
 * socket.io on Fastify's HTTP server, namespace /chat. The handshake resolves identity from the token
 * (auth.token or the session cookie) and nothing else; a present Origin must be on the allowlist.
 */
export default fp(
  async (app: FastifyInstance) => {
    const allowedOrigins = new Set(app.config.allowedOrigins)
    const socketCommands = commandTracker()
    const io: ChatServer = new Server(app.server, {
      maxHttpBufferSize: app.config.limits.packetBytes,
      serveClient: false,
      cors: { origin: [...allowedOrigins], credentials: true },
      // Checked before the upgrade, so a foreign page cannot ride on a guest's cookie (CSWSH). A shutting-down
      // instance takes no new connections: the client retries, and the balancer sends it elsewhere.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin
        callback(null, !socketCommands.draining && (origin === undefined || allowedOrigins.has(origin)))
      },
      // Several instances: every broadcast, socketsLeave and disconnectSockets goes through Redis to all of
      // them. The pub/sub adapter, not the streams one: it adds no storage and no latency, and what it drops
      // while Redis is away (broadcasts are fire-and-forget) our rev sync repairs — clients fetch changes
      // since their last rev on every reconnect and check conversation heads periodically (DESIGN §6). The
      // sharded variant only pays off on Redis Cluster.
      ...(app.redis && {
        adapter: createAdapter(app.redis.pub, app.redis.sub, {
          key: `${app.redis.prefix}socket.io`,
          requestsTimeout: 3000,
        }),
      }),
    })
    const chat: ChatNamespace = io.of(CHAT_NAMESPACE)

    chat.use(async (socket, next) => {
      try {
        const parsed = handshakeAuth.parse(socket.handshake.auth ?? {})
        const auth = parsed.ok ? parsed.value : {}
        const token = auth.token ?? cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE)
        const session = token ? await app.services.identity.authenticate(token) : null
        if (!session) return next(refusal('UNAUTHORIZED', 'A valid session token is required'))
        // The seed client also sends who it thinks it is: it must be who the token says.
        if (
          (auth.userId !== undefined && auth.userId !== session.user.id) ||
          (auth.eventId !== undefined && auth.eventId !== session.user.eventId)
        ) {
          return next(refusal('UNAUTHORIZED', 'userId or eventId does not match the session'))
        }
        socket.data.user = session.user
        socket.data.sessionId = session.session.id
        socket.data.expiresAt = session.session.expiresAt.getTime()
        next()
      } catch (error) {
        const appError = toAppError(error)
        if (appError.code === 'INTERNAL')
          app.log.error({ err: error, socketId: socket.id }, 'socket handshake failed')
        next(refusal(appError.code, appError.message))
      }
    })

    chat.on('connection', (socket) => {
      const { user, sessionId } = socket.data
      socket.join([Room.user(user.id), Room.event(user.eventId), sessionRoom(sessionId)])
    })

    const publisher: Publisher = {
      emit(rooms, event, payload, exceptRooms) {
        let target = chat.to(rooms)
        if (exceptRooms) target = target.except(exceptRooms)
        ;(target.emit as (e: string, p: unknown) => void)(event, payload)
      },
      disconnect(rooms) {
        chat.in(rooms).disconnectSockets(true)
      },
      leave(room, roomToLeave) {
        chat.in(room).socketsLeave(roomToLeave)
      },
    }

    app.decorate('io', io)
    app.decorate('chat', chat)
    app.decorate('publisher', publisher)
    app.decorate('socketCommands', socketCommands)
    // Shutdown, first step: refuse new sockets and commands, let the commands being answered finish and ack,
    // then close this instance's connections. Closing the transport (not a namespace disconnect, which a
    // client takes as final) makes clients reconnect — through the balancer, to another instance — and
    // resync. HTTP requests in flight are finished by Fastify after this hook.
    app.addHook('preClose', async () => {
      const open = await socketCommands.drain(DRAIN_MS)
      if (open > 0) app.log.warn({ open }, 'closing with socket commands still unanswered')
      app.log.info({ sockets: chat.sockets.size }, 'closing socket connections; clients reconnect elsewhere')
      for (const socket of chat.sockets.values()) socket.conn.close()
    })
    app.addHook('onClose', async () => {
      await io.close()
    })
  },
  { name: 'realtime', dependencies: ['config', 'redis'] },
)
