import { type Static, Type } from 'typebox'
import { Message } from './models.ts'
import { DateTime, Id, Nullable, Rev } from './primitives.ts'

/**
 * Announcements, pins and the announcement-only lobby (protocol §3.3 and §5). An announcement is a lobby
 * message with `announcement: true`; a pin is a mark on any message. Both change the message's rev, so a
 * client catches up on them with the same `sinceRev` sync as on edits.
 */

/** The event's lobby settings, as an organizer changes them: each field left out stays as it is. */
export const EventSettingsBody = Type.Object(
  {
    /** Only organizers and moderators write in the lobby; guests read and react. */
    announcementOnly: Type.Optional(Type.Boolean()),
    /** Moderators may post announcements too (organizers always may). */
    moderatorsAnnounce: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
)
export type EventSettingsBody = Static<typeof EventSettingsBody>
/** The settings as the server tells them (on the Event, in `event:updated` and with the announcements). */
export type EventSettings = Static<typeof LobbySettings>
export const EventSettingsInput = EventSettingsBody
export type EventSettingsInput = EventSettingsBody

/** `message:pin` / `message:unpin` and `announcement:dismiss`: one message, by id. */
export const MessageRef = Type.Object({ messageId: Id })
export type MessageRef = Static<typeof MessageRef>

/** `message:pinned`, to the conversation: a pin or (pinnedAt null) an unpin, under the message's new rev. */
export const MessagePinnedEvent = Type.Object({
  conversationId: Id,
  messageId: Id,
  pinnedAt: Nullable(DateTime),
  pinnedBy: Nullable(Id),
  rev: Rev,
})
export type MessagePinnedEvent = Static<typeof MessagePinnedEvent>

/** The pinned messages of a conversation, most recently pinned first. */
export const PinnedList = Type.Object({ messages: Type.Array(Message) })
export type PinnedList = Static<typeof PinnedList>

/** The settings as the server tells them with the announcements: a client that was away catches up on both. */
export const LobbySettings = Type.Object({
  announcementOnly: Type.Boolean(),
  moderatorsAnnounce: Type.Boolean(),
})

/** The lobby's announcements the user has not dismissed, newest first, and the lobby's settings now. */
export const AnnouncementList = Type.Object({ announcements: Type.Array(Message), settings: LobbySettings })
export type AnnouncementList = Static<typeof AnnouncementList>

/** A dismissal, answered to the user and told to their other devices (`announcement:dismissed`). */
export const AnnouncementDismissed = Type.Object({ messageId: Id })
export type AnnouncementDismissed = Static<typeof AnnouncementDismissed>

/** Most pins one conversation lists; pinning more is refused until one is unpinned. */
export const PINS_MAX = 50
