import { type ChatError, type ErrorCode, ErrorStatus } from '@secura/shared'

/** A failure a client is told about: one of the shared error codes, with a message fit to show. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'AppError'
  }

  get status(): number {
    return ErrorStatus[this.code]
  }

  toJSON(): ChatError {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfterMs !== undefined && { retryAfterMs: this.retryAfterMs }),
      ...(this.details !== undefined && { details: this.details }),
    }
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`)
export const forbidden = (message: string, details?: unknown) => new AppError('FORBIDDEN', message, details)
export const unauthorized = (message = 'A valid session is required') => new AppError('UNAUTHORIZED', message)
export const validation = (message: string, details?: unknown) => new AppError('VALIDATION', message, details)
export const conflict = (message: string) => new AppError('CONFLICT', message)

// Connection-level failures: the database is down or unreachable, so the client should retry later.
const UNAVAILABLE_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'P2028',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
])
// Prisma driver-adapter error kinds that mean the connection, not the query, failed.
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
])
const UNAVAILABLE_MESSAGES =
  /connection terminated|connection refused|server closed the connection|Connection ended|the database system is|Can't reach database|timed out fetching a new connection|Client has encountered a connection error|not queryable|Connection is closed|Query read timeout/i

function isUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false
  const e = error as {
    code?: unknown
    message?: unknown
    cause?: unknown
    name?: unknown
    originalCode?: unknown
    kind?: unknown
    meta?: { driverAdapterError?: unknown }
  }
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true
  if (typeof e.kind === 'string' && UNAVAILABLE_KINDS.has(e.kind)) return true
  // Prisma reports a connection lost inside a query as a known request error carrying the adapter's error.
  if (isUnavailable(e.meta?.driverAdapterError, depth + 1)) return true
  if (typeof e.originalCode === 'string' && UNAVAILABLE_CODES.has(e.originalCode)) return true
  if (e.name === 'PrismaClientInitializationError') return true
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true
  return isUnavailable(e.cause, depth + 1)
}

/** Maps anything thrown to the error a client sees: AppErrors as they are, database outages to UNAVAILABLE, the rest to INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (isUnavailable(error))
    return new AppError('UNAVAILABLE', 'The service is temporarily unavailable; retry later', undefined, 1000)
  return new AppError('INTERNAL', 'Internal server error')
}

/** Unique-constraint violation (Prisma P2002, Postgres 23505; raw queries report P2010 with the driver's code). */
/** The codes a driver or Prisma error carries (Prisma's own, and the Postgres SQLSTATE wherever the layers put it). */
function errorCodes(error: unknown): unknown[] {
  const e = error as {
    code?: unknown
    cause?: { originalCode?: unknown }
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } }
  } | null
  return [e?.code, e?.cause?.originalCode, e?.meta?.driverAdapterError?.cause?.originalCode]
}

export const isUniqueViolation = (error: unknown): boolean =>
  errorCodes(error).some((code) => code === '23505' || code === 'P2002')

/** Two transactions waited on each other and Postgres aborted this one: nothing was written. */
export const isDeadlock = (error: unknown): boolean => errorCodes(error).includes('40P01')
