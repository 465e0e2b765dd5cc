import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { redisViewerStore } from '../cluster/redis-viewer-store.ts'
import { AppError } from '../errors.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'
import { registerChatHandlers } from '../realtime/chat.handlers.ts'
import { roomViewers } from '../realtime/room-viewers.ts'

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

    chat.on('connection', (socket) => {
      const log = app.log.child({ socketId: socket.id, userId: socket.data.user.id })
      const userId = socket.data.user.id
      const limiter = memoryTokenBuckets(eventsPerSec, eventsPerSec)
      let refused = 0
      let windowStart = Date.now()

      const guard = async (event: string) => {
        if (socketCommands.draining) {
          throw new AppError(
            'UNAVAILABLE',
            'This server is restarting; send again once reconnected',
            undefined,
            1000,
          )
        }
        if (event === 'message:send') return // limited per user, across transports, by the messages service
        const result = await limiter.take(socket.id)
        if (result.ok) return
        if (Date.now() - windowStart > ABUSE_WINDOW_MS) {
          windowStart = Date.now()
          refused = 0
        }
        if (++refused > eventsPerSec * 5) {
          log.warn('disconnecting an abusive socket')
          socket.disconnect(true)
        }
        throw new AppError('RATE_LIMITED', 'Too many events; slow down', undefined, result.retryAfterMs)
      }

      registerChatHandlers({ socket, log, guard, metrics, inFlight: socketCommands }, services, viewers)
      services.presence.connected(userId).catch((err) => log.error({ err }, 'presence update failed'))

      // Leaving the conversation rooms is followed by the viewer tracker (room-viewers.ts).
      socket.on('disconnect', () => {
        const last = services.presence.disconnected(userId, (err) =>
          log.error({ err }, 'presence update failed'),
        )
        services.typing.clearSocket(socket.id)
        if (last) services.typing.clearUser(userId)
      })
    })

    app.addHook('onClose', () => viewers.close())
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
