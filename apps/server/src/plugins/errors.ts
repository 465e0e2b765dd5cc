import type { ErrorCode } from '@secura/shared'
import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, toAppError } from '../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code this request was answered with (for /metrics). */
    errorCode: ErrorCode | undefined
    /** The error was raised on purpose (an AppError, e.g. a send refused under load), not a failure. */
    errorRaised: boolean
  }
}

/** Every failure leaves as `{ error: { code, message, … } }`; nothing internal is ever sent. */
export default fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('errorCode', undefined)
    app.decorateRequest('errorRaised', false)
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = fromFastify(error) ?? toAppError(error)
      request.errorCode = appError.code
      request.errorRaised = error instanceof AppError
      if (!request.errorRaised && (appError.code === 'INTERNAL' || appError.code === 'UNAVAILABLE')) {
        request.log.error({ err: error }, 'request failed')
      }
      if (appError.retryAfterMs !== undefined) {
        reply.header('retry-after', Math.ceil(appError.retryAfterMs / 1000))
      }
      return reply.status(appError.status).send({ error: appError.toJSON() })
    })
    app.setNotFoundHandler((request, reply) => {
      request.errorCode = 'NOT_FOUND'
      return reply.status(404).send({
        error: {
          code: 'NOT_FOUND',
          message: `No route for ${request.method} ${request.url.split('?')[0]}`,
        },
      })
    })
  },
  { name: 'errors' },
)

/** Errors raised by Fastify itself (validation, body parsing, size limits) in the shared vocabulary. */
function fromFastify(error: FastifyError): AppError | undefined {
  if (error.validation) {
    const details = error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }))
    return new AppError(
      'VALIDATION',
      `Invalid ${error.validationContext ?? 'request'}: ${details[0]?.message ?? 'invalid'}`,
      details,
    )
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION', error.message)
  }
  if (error.statusCode === 429) {
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs ?? 60_000
    return new AppError('RATE_LIMITED', 'Too many requests; slow down', undefined, retryAfterMs)
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500 && !(error instanceof AppError)) {
    // Body parser and other client errors (malformed JSON and the like).
    if (error instanceof SyntaxError || error.code?.startsWith('FST_'))
      return new AppError('VALIDATION', error.message)
  }
  return undefined
}
