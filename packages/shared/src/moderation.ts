import { type Static, Type } from 'typebox'
import { DateTime, Id, Nullable, Role } from './primitives.ts'

/** Moderation (protocol §3.4 and §5): mute, remove, restore, roles, and the log of every action. */

/** Longest mute, in minutes: a week. */
export const MUTE_MAX_MINUTES = 7 * 24 * 60
export const ModerationReason = Type.String({ maxLength: 200 })

export const ModerationActionKind = Type.Union([
  Type.Literal('mute'),
  Type.Literal('remove'),
  Type.Literal('restore'),
  Type.Literal('role'),
])
export type ModerationActionKind = Static<typeof ModerationActionKind>

/** A guest's role as an organizer may set it: organizers are made only by invitation. */
export const AssignableRole = Type.Union([Type.Literal('guest'), Type.Literal('moderator')])

export const MuteBody = Type.Object({
  minutes: Type.Integer({ minimum: 1, maximum: MUTE_MAX_MINUTES }),
  reason: Type.Optional(ModerationReason),
})
export type MuteBody = Static<typeof MuteBody>
export const RemoveBody = Type.Object({ reason: Type.Optional(ModerationReason) })
export type RemoveBody = Static<typeof RemoveBody>
export const RoleBody = Type.Object({ role: AssignableRole })
export type RoleBody = Static<typeof RoleBody>

/** One entry of the moderation log: who did what to whom, when. `actorId` null: the operator's admin token. */
export const ModerationAction = Type.Object(
  {
    id: Id,
    action: ModerationActionKind,
    actorId: Nullable(Id),
    actorName: Nullable(Type.String()),
    targetId: Id,
    targetName: Type.String(),
    reason: Nullable(Type.String()),
    until: Nullable(DateTime),
    role: Nullable(Role),
    createdAt: DateTime,
  },
  { $id: 'ModerationAction' },
)
export type ModerationAction = Static<typeof ModerationAction>
export const ModerationActionResponse = Type.Object({ action: ModerationAction })
export type ModerationActionResponse = Static<typeof ModerationActionResponse>
export const ModerationLog = Type.Object({ actions: Type.Array(ModerationAction) })
export type ModerationLog = Static<typeof ModerationLog>

/** `user:moderated`, to the guest's own sockets: their standing now (a mute shows why and until when). */
export const ModeratedEvent = Type.Object({
  userId: Id,
  role: Role,
  mutedUntil: Nullable(DateTime),
  muteReason: Nullable(Type.String()),
})
export type ModeratedEvent = Static<typeof ModeratedEvent>

/** The `details` of a FORBIDDEN refusal to a muted guest. */
export const MutedDetails = Type.Object({
  muted: Type.Literal(true),
  until: DateTime,
  reason: Nullable(Type.String()),
})
export type MutedDetails = Static<typeof MutedDetails>
export function mutedDetails(details: unknown): MutedDetails | null {
  const d = details as Partial<MutedDetails> | null | undefined
  return d && d.muted === true && typeof d.until === 'string'
    ? { muted: true, until: d.until, reason: typeof d.reason === 'string' ? d.reason : null }
    : null
}

// Socket payloads: the same actions for an organizer or moderator signed in to the chat.
export const MuteInput = Type.Object({ userId: Id, ...MuteBody.properties })
export type MuteInput = Static<typeof MuteInput>
export const RemoveInput = Type.Object({ userId: Id, ...RemoveBody.properties })
export type RemoveInput = Static<typeof RemoveInput>
export const RestoreInput = Type.Object({ userId: Id })
export type RestoreInput = Static<typeof RestoreInput>
export const RoleInput = Type.Object({ userId: Id, ...RoleBody.properties })
export type RoleInput = Static<typeof RoleInput>
