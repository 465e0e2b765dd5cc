import { CHAT_NAMESPACE, compile, HandshakeAuth, Room } from '@secura/shared'
import { createShardedAdapter } from '@socket.io/redis-adapter'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import socketIoPlugin from 'fastify-socket.io'
import { type AppError, toAppError } from '../errors.ts'
import type { Publisher } from '../modules/ports.ts'
import { type CommandTracker, commandTracker } from '../realtime/in-flight.ts'
import type { ChatNamespace, ChatServer } from '../realtime/socket.ts'
import { SESSION_COOKIE } from './auth.ts'

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

// A CommonJS build marked __esModule: under Node's own ESM loader the plugin is the module's `default`.
const fastifySocketIO =
  (socketIoPlugin as unknown as { default?: typeof socketIoPlugin }).default ?? socketIoPlugin

function refusal(code: AppError['code'], message: string): Error {
  // socket.io hands `message` and `data` to the client's connect_error.
  return Object.assign(new Error(code), { data: { code, message } })
}

/**
 * socket.io on Fastify's HTTP server (fastify-socket.io, which decorates `app.io` and closes it with the
 * app), namespace /chat. The handshake resolves identity from the token (auth.token or the session
 * cookie, read by @fastify/cookie's parser) and nothing else; a present Origin must be on the allowlist.
 */
export default fp(
  async (app: FastifyInstance) => {
    const allowedOrigins = new Set(app.config.allowedOrigins)
    const socketCommands = commandTracker()
    await app.register(fastifySocketIO, {
      maxHttpBufferSize: app.config.limits.packetBytes,
      serveClient: false,
      cors: { origin: [...allowedOrigins], credentials: true },
      // Checked before the upgrade, so a foreign page cannot ride on a guest's cookie (CSWSH). A shutting-down
      // instance takes no new connections: the client retries, and the balancer sends it elsewhere.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin
        callback(null, !socketCommands.draining && (origin === undefined || allowedOrigins.has(origin)))
      },
      // Several instances: every broadcast, socketsLeave and disconnectSockets goes through Redis. Sharded
      // pub/sub (Redis 7: SPUBLISH/SSUBSCRIBE), one channel per conversation room: an instance subscribes to
      // the rooms its sockets are in and receives only their broadcasts, instead of every instance parsing
      // every message of the event. On Redis Cluster each channel lives on the shard its name hashes to.
      // Pub/sub, not streams: no storage and no latency, and what it drops while Redis is away (broadcasts
      // are fire-and-forget) our rev sync repairs — clients fetch changes since their last rev on every
      // reconnect and check conversation heads periodically (protocol §6).
      ...(app.redis && {
        adapter: createShardedAdapter(app.redis.pub, app.redis.sub, {
          channelPrefix: `${app.redis.prefix}socket.io`,
          subscriptionMode: 'dynamic',
        }),
      }),
      // Replaces the plugin's own, which disconnects every socket for good (see closeConnections).
      preClose: (done) => {
        closeConnections().then(
          () => done(),
          (error) => done(error),
        )
      },
    })
    const io: ChatServer = app.io
    const chat: ChatNamespace = io.of(CHAT_NAMESPACE)

    chat.use(async (socket, next) => {
      try {
        const parsed = handshakeAuth.parse(socket.handshake.auth ?? {})
        const auth = parsed.ok ? parsed.value : {}
        const cookie = socket.handshake.headers.cookie
        const token = auth.token ?? (cookie ? app.parseCookie(cookie)[SESSION_COOKIE] : undefined)
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
      socket.join([Room.user(user.id), Room.event(user.eventId), Room.session(sessionId)])
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

    app.decorate('chat', chat)
    app.decorate('publisher', publisher)
    app.decorate('socketCommands', socketCommands)
    // Shutdown, first step (preClose): refuse new sockets and commands, let the commands being answered
    // finish and ack, then close this instance's connections. Closing the transport (not a namespace
    // disconnect, which a client takes as final) makes clients reconnect — through the balancer, to another
    // instance — and resync. HTTP requests in flight are finished by Fastify after this hook.
    async function closeConnections() {
      const open = await socketCommands.drain(DRAIN_MS)
      if (open > 0) app.log.warn({ open }, 'closing with socket commands still unanswered')
      app.log.info({ sockets: chat.sockets.size }, 'closing socket connections; clients reconnect elsewhere')
      for (const socket of chat.sockets.values()) socket.conn.close()
    }
  },
  // security registers @fastify/cookie, whose parser reads the handshake's cookie.
  { name: 'realtime', dependencies: ['config', 'redis', 'security'] },
)
