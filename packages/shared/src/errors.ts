import { type Static, type TLiteral, Type } from 'typebox'

/** The one error vocabulary of REST responses and socket acks, with the HTTP status of each code. */
export const ErrorStatus = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ErrorStatus
export const ERROR_CODES = Object.keys(ErrorStatus) as ErrorCode[]

// Typed as a one-member tuple: TypeBox infers a union's static type from a tuple, and an array gives never.
export const ErrorCodeSchema = Type.Union(
  ERROR_CODES.map((code) => Type.Literal(code)) as [TLiteral<ErrorCode>],
)

export const ChatErrorSchema = Type.Object({
  code: ErrorCodeSchema,
  message: Type.String(),
  retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  details: Type.Optional(Type.Unknown()),
})
export type ChatError = Static<typeof ChatErrorSchema>

/** `{ error: { code, message, retryAfterMs?, details? } }` — every failed REST response. */
export const ErrorBody = Type.Object({ error: ChatErrorSchema }, { $id: 'ErrorBody' })
export type ErrorBody = Static<typeof ErrorBody>

export function isErrorCode(value: unknown): value is ErrorCode {
  // Own keys only: `'toString' in ErrorStatus` is true through the prototype.
  return typeof value === 'string' && Object.hasOwn(ErrorStatus, value)
}
