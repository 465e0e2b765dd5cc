import type { Ack, ClientEvents } from '@secura/shared'
import { ClientEventSchemas, compile } from '@secura/shared'
import type { Static } from '@sinclair/typebox'
import type { FastifyBaseLogger } from 'fastify'
import { AppError, toAppError } from '../errors.ts'
import type { Metrics } from '../plugins/metrics.ts'
import type { ChatSocket } from '../plugins/realtime.ts'
import type { CommandTracker } from './in-flight.ts'

type EventName = keyof ClientEvents
type Payload<E extends EventName> = Static<(typeof ClientEventSchemas)[E]>
type AckData<E extends EventName> = Parameters<ClientEvents[E]>[1] extends
  | ((r: Ack<infer T>) => void)
  | undefined
  ? T
  : never

const validators = Object.fromEntries(
  Object.entries(ClientEventSchemas).map(([name, schema]) => [name, compile(schema)]),
) as { [E in EventName]: ReturnType<typeof compile<(typeof ClientEventSchemas)[E]>> }

export interface HandlerContext {
  socket: ChatSocket
  log: FastifyBaseLogger
  /** Runs before every handler: the per-socket event rate limit. Throws RATE_LIMITED. */
  guard(event: EventName): Promise<void>
  /** Where commands are timed and counted (/metrics). */
  metrics?: Pick<Metrics, 'commandDone' | 'messageAccepted' | 'databaseError'>
  /** Commands being answered here: a shutdown waits for them. */
  inFlight?: CommandTracker
}

/**
 * Registers one client event: validate → do → ack. Validation uses the shared schema and drops unknown
 * fields; every failure becomes `{ok:false, error}` in the shared vocabulary; nothing a client sends
 * can throw out of here.
 */
export function on<E extends EventName>(
  ctx: HandlerContext,
  event: E,
  run: (payload: Payload<E>) => Promise<AckData<E>> | AckData<E>,
): void {
  const validator = validators[event]
  ;(ctx.socket.on as (e: string, f: (...args: unknown[]) => void) => void)(
    event,
    async (...args: unknown[]) => {
      // The ack is the last argument when it is a function; a client may also emit with no payload.
      const last = args[args.length - 1]
      const ack = typeof last === 'function' ? (last as (r: Ack<AckData<E>>) => void) : undefined
      const raw = ack && args.length === 1 ? undefined : args[0]
      const started = performance.now()
      let errorCode: string | undefined
      ctx.inFlight?.enter()
      try {
        await ctx.guard(event)
        const parsed = validator.parse(raw ?? {})
        if (!parsed.ok)
          throw new AppError(
            'VALIDATION',
            `Invalid ${event} payload: ${describe(parsed.issues)}`,
            parsed.issues,
          )
        const data = await run(parsed.value as Payload<E>)
        ack?.({ ok: true, data })
      } catch (error) {
        const appError = toAppError(error)
        errorCode = appError.code
        // A database outage is mapped to UNAVAILABLE here; the same code raised on purpose (shutting down) is no failure.
        const failed = !(error instanceof AppError)
        if (failed && (appError.code === 'INTERNAL' || appError.code === 'UNAVAILABLE')) {
          ctx.log.error({ err: error, event, socketId: ctx.socket.id }, 'socket command failed')
          if (appError.code === 'UNAVAILABLE') ctx.metrics?.databaseError()
        }
        ack?.({ ok: false, error: appError.toJSON() })
      } finally {
        ctx.inFlight?.leave()
        ctx.metrics?.commandDone('socket', event, (performance.now() - started) / 1000, errorCode)
      }
    },
  )
}

const describe = (issues: { path: string; message: string }[]) =>
  issues.map((i) => `${i.path} ${i.message}`).join('; ')
