import { createRequire } from 'node:module'
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify'

/** Paths that may carry a secret; pino writes `[redacted]` in their place. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'token',
  '*.token',
  'code',
  '*.code',
  'adminToken',
]

/**
 * Someone reading a terminal (`pnpm start`) gets readable lines; a pipe, a file or a log collector gets
 * JSON, one object a line, and so does production even in a terminal.
 */
export function wantsPrettyLogs(
  out: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return out.isTTY === true && env.NODE_ENV !== 'production'
}

/** pino-pretty as a pino transport, by path: pino would resolve a bare name from its own folder, not ours. */
export function prettyTransport(options: Record<string, unknown> = {}) {
  return {
    target: createRequire(import.meta.url).resolve('pino-pretty'),
    options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', ...options },
  }
}

export function loggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
  pretty = !stream && wantsPrettyLogs(),
): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream && { stream }),
    ...(pretty && { transport: prettyTransport() }),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // The URL of /join/<code> holds an invitation code: log the route, not the secret.
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        url: req.url.replace(/\/join\/[^/?]+/, '/join/[redacted]'),
        id: req.id,
      }),
    },
  }
}

/**
 * One log line per request, when it is answered, with its method and URL: Fastify's default writes two
 * (on arrival and on completion), and the second line is work on every request for nothing a reader needs.
 */
export class RequestLog extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}
