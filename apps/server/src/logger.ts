import type { FastifyServerOptions } from 'fastify'

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

export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream && { stream }),
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
