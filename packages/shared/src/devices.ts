import { type Static, Type } from 'typebox'
import { DateTime } from './primitives.ts'

/** How long an add-a-device link stays usable: long enough to scan, too short to be worth stealing. */
export const DEVICE_LINK_TTL_MS = 5 * 60_000

/** `POST /api/auth/device`: a one-time, short-lived link that signs another device in as the same user. */
export const DeviceLinkResponse = Type.Object({
  code: Type.String(),
  url: Type.String(),
  expiresAt: DateTime,
})
export type DeviceLinkResponse = Static<typeof DeviceLinkResponse>
