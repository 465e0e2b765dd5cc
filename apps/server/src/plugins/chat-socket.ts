import { Room } from '@secura/shared'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'
import { memoryTokenBuckets } from '../modules/rate-limit.ts'
import { registerChatHandlers } from '../realtime/chat.handlers.ts'
import { roomViewers } from '../realtime/room-viewers.ts'

/** Refused events in one window after which a socket is taken to be abusive and disconnected. */
const ABUSE_WINDOW_MS = 10_000

/** The /chat connection lifecycle: socket limit, presence, handlers, and cleanup on disconnect. */
export default fp(
  async (app: FastifyInstance) => {
    const { chat, services, config } = app
    const viewers = roomViewers(chat)
    const { eventsPerSec, socketsPerUser } = config.limits

    // Runs after the handshake's authentication (registered later, so it comes second).
    chat.use((socket, next) => {
      const open = chat.adapter.rooms.get(Room.user(socket.data.user.id))?.size ?? 0
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

      registerChatHandlers({ socket, log, guard }, services, viewers)
      services.presence.connected(userId).catch((err) => log.error({ err }, 'presence update failed'))

      let conversationRooms: string[] = []
      socket.on('disconnecting', () => {
        conversationRooms = [...socket.rooms].filter((r) => r.startsWith('conv:'))
      })
      socket.on('disconnect', () => {
        for (const room of conversationRooms) viewers.leftRoom(room, userId, room.slice('conv:'.length))
        const last = services.presence.disconnected(userId, (err) =>
          log.error({ err }, 'presence update failed'),
        )
        services.typing.clearSocket(socket.id)
        if (last) services.typing.clearUser(userId)
      })
    })
  },
  { name: 'chat-socket', dependencies: ['realtime', 'services'] },
)
