import { type Static, Type } from 'typebox'
import { Id, Nullable } from './primitives.ts'

/** Web Push, conversation mutes, quiet hours and activity (protocol §4.1 and §5). */

/** The server's VAPID public key (base64url), for `PushManager.subscribe({applicationServerKey})`. */
export const PushKeyResponse = Type.Object({ publicKey: Type.String() })
export type PushKeyResponse = Static<typeof PushKeyResponse>

const Base64Url = (min: number, max: number) =>
  Type.String({ minLength: min, maxLength: max, pattern: '^[A-Za-z0-9_-]+={0,2}$' })

/** A push endpoint: a URL of the browser's push service; checked further by the server (https, public address). */
export const PushEndpoint = Type.String({ minLength: 12, maxLength: 2048 })

/** `PushSubscription.toJSON()` as browsers give it: the endpoint and the keys the payload is encrypted to. */
export const PushSubscribeBody = Type.Object({
  endpoint: PushEndpoint,
  keys: Type.Object({
    /** The browser's P-256 public key, uncompressed (65 bytes). */
    p256dh: Base64Url(86, 90),
    /** The authentication secret (16 bytes). */
    auth: Base64Url(22, 24),
  }),
})
export type PushSubscribeBody = Static<typeof PushSubscribeBody>
export const PushUnsubscribeBody = Type.Object({ endpoint: PushEndpoint })
export type PushUnsubscribeBody = Static<typeof PushUnsubscribeBody>
export const PushSubscriptionResponse = Type.Object({ endpoint: Type.String() })
export type PushSubscriptionResponse = Static<typeof PushSubscriptionResponse>

/** A time of day, `HH:MM` (24 hours). */
export const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })
/** Quiet hours in the guest's own time: from `start` to `end` (past midnight when end < start), in `timeZone` (IANA). */
export const QuietHours = Type.Object({
  start: TimeOfDay,
  end: TimeOfDay,
  timeZone: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$' }),
})
export type QuietHours = Static<typeof QuietHours>

/** A guest's notification preferences, the same on every device of theirs. */
export const NotificationPreferences = Type.Object({
  /** Conversations that push nothing. */
  mutedConversationIds: Type.Array(Id),
  /** Null: off (the default). */
  quietHours: Nullable(QuietHours),
})
export type NotificationPreferences = Static<typeof NotificationPreferences>

export const QuietHoursBody = Type.Object({ quietHours: Nullable(QuietHours) })
export type QuietHoursBody = Static<typeof QuietHoursBody>
export const ConversationMuteBody = Type.Object({ muted: Type.Boolean() })
export type ConversationMuteBody = Static<typeof ConversationMuteBody>
export const ConversationMuteInput = Type.Object({ conversationId: Id, muted: Type.Boolean() })
export type ConversationMuteInput = Static<typeof ConversationMuteInput>

/**
 * `presence:activity`: the client says the guest is doing something (input while the page is visible, or the
 * page became visible). Sent at most about once a minute per tab; the server shows `away` after
 * PRESENCE_AWAY_MINUTES without one from any tab or device.
 */
export const PresenceActivityInput = Type.Object({})
export type PresenceActivityInput = Static<typeof PresenceActivityInput>

/** What a push message carries (encrypted to the subscription; a service worker shows it). */
export interface PushPayload {
  title: string
  body: string
  /** `/c/:conversationId/m/:messageId`: where a click on the notification opens. */
  url: string
  /** One notification per conversation: a newer message replaces the older one. */
  tag: string
}
