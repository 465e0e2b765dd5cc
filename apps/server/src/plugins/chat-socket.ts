import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { redisViewerStore } from '../cluster/redis-viewer-store.ts'
import { AppError } from '../errors.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'
import { chatHandlers } from '../realtime/chat.handlers.ts'
import { dispatcher, type EventName } from '../realtime/handle.ts'
import { roomViewers } from '../realtime/room-viewers.ts'
import { endSocket, sessionExpired, watchSessions } from '../realtime/session-watch.ts'
import type { ChatSocket } from '../realtime/socket.ts'

/** Refused events in one window after which a socket is taken to be abusive and disconnected. */
const ABUSE_WINDOW_MS = 10_000

/** The /chat connection lifecycle: socket limit, presence, handlers, and cleanup on disconnect. */
export default fp(
  async (app: FastifyInstance) => {
    const { chat, services, config, redis, socketCommands, metrics } = app
    const viewers = redis ? clusterViewers(app) : roomViewers(chat)
    const { eventsPerSec, socketsPerUser } = config.limits

    // Runs after the handshake's authentication (registered later, so it comes second). Counts the user's
    // sockets on every instance.
    chat.use(async (socket, next) => {
      const open = await services.presence.socketCount(socket.data.user.id)
      if (open >= socketsPerUser) {
        return next(
          Object.assign(new Error('RATE_LIMITED'), {
            data: { code: 'RATE_LIMITED', message: `At most ${socketsPerUser} connections per user` },
          }),
        )
      }
      next()
    })

    // One rate limiter, one guard and one listener for all sockets: a connection costs no closures of its own.
    const limiter = memoryTokenBuckets(eventsPerSec, eventsPerSec)
    /** Sockets refused lately: refusals in the current window, and when it began. */
    const refusals = new Map<string, { count: number; since: number }>()

    const guard = async (socket: ChatSocket, event: EventName | undefined) => {
      if (socketCommands.draining) {
        throw new AppError(
          'UNAVAILABLE',
          'This server is restarting; send again once reconnected',
          undefined,
          1000,
        )
      }
      if (sessionExpired(socket)) {
        // Answered first, then closed: the client learns why before the socket goes.
        setImmediate(() => endSocket(socket))
        throw new AppError('UNAUTHORIZED', 'Your session has ended; join again')
      }
      if (event === 'message:send') return // limited per user, across transports, by the messages service
      const result = await limiter.take(socket.id)
      if (result.ok) return
      const now = Date.now()
      let refused = refusals.get(socket.id)
      if (!refused || now - refused.since > ABUSE_WINDOW_MS) {
        refused = { count: 0, since: now }
        refusals.set(socket.id, refused)
      }
      if (++refused.count > eventsPerSec * 5) {
        app.log.warn({ socketId: socket.id, userId: socket.data.user.id }, 'disconnecting an abusive socket')
        socket.disconnect(true)
      }
      throw new AppError('RATE_LIMITED', 'Too many events; slow down', undefined, result.retryAfterMs)
    }
    const dispatch = dispatcher(
      { log: app.log, guard, metrics, inFlight: socketCommands },
      chatHandlers(services, viewers, metrics),
    )

    function disconnected(this: ChatSocket) {
      const userId = this.data.user.id
      refusals.delete(this.id)
      const last = services.presence.disconnected(userId, (err) =>
        app.log.error({ err, userId }, 'presence update failed'),
      )
      services.typing.clearSocket(this.id)
      if (last) services.typing.clearUser(userId)
    }

    chat.on('connection', (socket) => {
      const userId = socket.data.user.id
      socket.onAny(dispatch)
      services.presence
        .connected(userId)
        .catch((err) => app.log.error({ err, userId }, 'presence update failed'))
      // Leaving the conversation rooms is followed by the viewer tracker (room-viewers.ts).
      socket.on('disconnect', disconnected)
    })

    const sessions = watchSessions({
      chat,
      log: app.log,
      currentSessions: (ids) => services.identity.currentSessions(ids),
    })
    app.addHook('onClose', () => {
      sessions.close()
      return viewers.close()
    })
  },
  { name: 'chat-socket', dependencies: ['realtime', 'services', 'metrics'] },
)

/** Viewer counts shared through Redis; a crashed instance's viewers are removed by a survivor. */
function clusterViewers(app: FastifyInstance) {
  const redis = app.redis!
  const store = redisViewerStore(redis.commands, { prefix: redis.prefix, instanceId: redis.instanceId })
  const viewers = roomViewers(app.chat, store, redis.failed)
  redis.membership.join({
    async instanceGone(instanceId) {
      for (const left of await store.gone(instanceId))
        viewers.announce('left', left.room, left.userId, left.userCount)
    },
    restore: () => store.restore(viewers.localPairs()),
    withdraw: () => store.restore([]),
  })
  return viewers
}
