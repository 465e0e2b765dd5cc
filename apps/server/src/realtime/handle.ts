import type { Ack, ClientEvents } from '@secura/shared'
import { ClientEventSchemas, compile, describeIssues } from '@secura/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Static } from 'typebox'
import { AppError, toAppError } from '../errors.ts'
import type { Metrics } from '../metrics.ts'
import type { CommandTracker } from './in-flight.ts'
import type { ChatSocket } from './socket.ts'

export type EventName = keyof ClientEvents
type Payload<E extends EventName> = Static<(typeof ClientEventSchemas)[E]>
type AckData<E extends EventName> = Parameters<ClientEvents[E]>[1] extends
  | ((r: Ack<infer T>) => void)
  | undefined
  ? T
  : never

/** What one client event does, for the socket that sent it, with its validated payload. */
export type Handlers = {
  [E in EventName]: (socket: ChatSocket, payload: Payload<E>) => Promise<AckData<E>> | AckData<E>
}

const validators = Object.fromEntries(
  Object.entries(ClientEventSchemas).map(([name, schema]) => [name, compile(schema)]),
) as { [E in EventName]: ReturnType<typeof compile<(typeof ClientEventSchemas)[E]>> }

export interface DispatchContext {
  log: FastifyBaseLogger
  /** Runs before every handler: the per-socket event rate limit. Throws RATE_LIMITED. */
  guard(socket: ChatSocket, event: EventName | undefined): Promise<void>
  /** Where commands are timed and counted (/metrics). */
  metrics?: Pick<Metrics, 'commandDone' | 'databaseError'>
  /** Commands being answered here: a shutdown waits for them. */
  inFlight?: CommandTracker
}

/**
 * The one listener of every socket (`socket.onAny(listener)`: socket.io calls it with the socket as `this`),
 * so a connection costs no closures of its own. For each client event: guard → validate → do → ack.
 * Validation uses the shared schema and drops unknown fields; every failure becomes `{ok:false, error}` in
 * the shared vocabulary; an event of no handler is refused the same way; nothing a client sends can throw
 * out of here.
 */
export function dispatcher(ctx: DispatchContext, handlers: Handlers) {
  return function dispatch(this: ChatSocket, event: unknown, ...args: unknown[]): void {
    // The ack is the last argument when it is a function; a client may also emit with no payload.
    const last = args[args.length - 1]
    const ack = typeof last === 'function' ? (last as (r: Ack<unknown>) => void) : undefined
    const raw = ack && args.length === 1 ? undefined : args[0]
    const known = typeof event === 'string' && Object.hasOwn(handlers, event)
    void run(this, known ? (event as EventName) : undefined, raw, ack)
  }

  /** `event` undefined: one we have no handler for, refused (after the rate limit, which counts it too). */
  async function run(
    socket: ChatSocket,
    event: EventName | undefined,
    raw: unknown,
    ack?: (r: Ack<unknown>) => void,
  ) {
    const started = performance.now()
    let errorCode: string | undefined
    ctx.inFlight?.enter()
    try {
      await ctx.guard(socket, event)
      if (!event) throw new AppError('VALIDATION', 'Unknown event')
      const parsed = validators[event].parse(raw ?? {})
      if (!parsed.ok)
        throw new AppError('VALIDATION', describeIssues(parsed.issues, `${event} payload`), parsed.issues)
      const handler = handlers[event] as (socket: ChatSocket, payload: unknown) => unknown
      const data = await handler(socket, parsed.value)
      ack?.({ ok: true, data })
    } catch (error) {
      const appError = toAppError(error)
      errorCode = appError.code
      // A database outage is mapped to UNAVAILABLE here; the same code raised on purpose (shutting down) is no failure.
      const failed = !(error instanceof AppError)
      if (failed && (appError.code === 'INTERNAL' || appError.code === 'UNAVAILABLE')) {
        ctx.log.error(
          { err: error, event, socketId: socket.id, userId: socket.data.user?.id },
          'socket command failed',
        )
        if (appError.code === 'UNAVAILABLE') ctx.metrics?.databaseError()
      }
      ack?.({ ok: false, error: appError.toJSON() })
    } finally {
      ctx.inFlight?.leave()
      ctx.metrics?.commandDone('socket', event ?? 'unknown', (performance.now() - started) / 1000, errorCode)
    }
  }
}
