import { Type } from '@sinclair/typebox'

/** Every route's error responses point at the shared error body. */
const ErrorRef = Type.Ref('ErrorBody')
export const errors = {
  400: ErrorRef,
  401: ErrorRef,
  403: ErrorRef,
  404: ErrorRef,
  409: ErrorRef,
  413: ErrorRef,
  429: ErrorRef,
  500: ErrorRef,
  503: ErrorRef,
}
export const NoContent = Type.Null({ description: 'No content' })
