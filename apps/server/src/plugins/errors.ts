import type { Duplex } from 'node:stream'
import { describeIssues, type ErrorCode } from '@secura/shared'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
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
    const details = error.validation.map((v) => ({
      path: v.instancePath || '/',
      message: v.message ?? 'is invalid',
    }))
    return new AppError('VALIDATION', describeIssues(details, error.validationContext ?? 'request'), details)
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

/**
 * Fastify's own answers to a URL it cannot decode (`/%c0`), in the shared shape: the `frameworkErrors`
 * option of the Fastify constructor (these requests never reach the error handler).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  request.errorCode = 'VALIDATION'
  const message = error.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed' : 'The request is malformed'
  void reply.status(400).send({ error: { code: 'VALIDATION', message } })
}

/**
 * Requests Node's HTTP parser refuses (a content-length that does not parse or does not match, a bad
 * header) are answered on the raw socket, before Fastify sees a request: the `clientErrorHandler` option.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, reason, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'UNAVAILABLE', 'The request took too long to arrive']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'PAYLOAD_TOO_LARGE', 'The request headers are too large']
        : [400, 'Bad Request', 'VALIDATION', 'The HTTP request is malformed (its length or headers)']
  const body = JSON.stringify({ error: { code, message } })
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  } else socket.destroy(error)
}
