import { Type } from 'typebox'
import Format from 'typebox/format'
import { LIMITS } from './limits.ts'
import { captionProblem, messageTextProblem, nameProblem, searchProblem } from './text.ts'

// The protocol's string formats, registered here, once (over TypeBox's own uuid and date-time, stricter ones).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i
// biome-ignore lint/complexity/useRegexLiterals: a `/v` literal needs an ES2024 target in every package that type-checks this file.
const SINGLE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v')
// Date.parse rolls 2024-02-30 over to March 1st: the day must exist in its month.
const isCalendarDay = (value: string): boolean => {
  const day = Number(value.slice(8, 10))
  return (
    day >= 1 &&
    day <= new Date(Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)), 0)).getUTCDate()
  )
}

Format.Set('uuid', (value) => UUID.test(value))
Format.Set(
  'date-time',
  (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) && isCalendarDay(value),
)
Format.Set('emoji', (value) => SINGLE_EMOJI.test(value))

/** Text formats: each refuses what its describer explains (validate.ts turns the reason into the message). */
export const TEXT_FORMATS: Record<string, (value: string) => string | undefined> = {
  'message-text': (value) => messageTextProblem(value),
  'display-name': (value) => nameProblem(value, LIMITS.displayNameChars),
  title: (value) => nameProblem(value, LIMITS.titleChars),
  'event-name': (value) => nameProblem(value, LIMITS.eventNameChars),
  search: (value) => searchProblem(value),
  caption: (value) => captionProblem(value),
}
for (const [format, problem] of Object.entries(TEXT_FORMATS))
  Format.Set(format, (value) => problem(value) === undefined)

export const isSingleEmoji = (value: string): boolean => SINGLE_EMOJI.test(value)

// With(): the static type keeps the format, which a plain option would not carry.
export const Id = Type.With(Type.String(), { format: 'uuid', description: 'UUID' })
export const DateTime = Type.With(Type.String(), { format: 'date-time', description: 'ISO 8601 date-time' })
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

/**
 * Text with 1–LIMITS.messageChars characters after trimming (surrounding whitespace, a trailing newline, does
 * not count against the limit), without control characters other than tab and line breaks.
 */
export const Content = Type.String({
  minLength: 1,
  format: 'message-text',
  description: `Message text: 1–${LIMITS.messageChars} characters after trimming`,
})

/** The client's id for a message: a UUID created when the message enters the outbox (or the seed's `msg_<time>`). */
export const ClientMessageId = Type.String({
  minLength: 1,
  maxLength: LIMITS.clientMessageIdChars,
  pattern: '^[A-Za-z0-9_.:-]+$',
})

/** Names are one line of visible text: no controls, no bidi controls, no invisible characters. */
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: LIMITS.displayNameChars,
  format: 'display-name',
})
export const Title = Type.With(Type.String(), { minLength: 1, maxLength: LIMITS.titleChars, format: 'title' })
export const EventName = Type.With(Type.String(), {
  minLength: 1,
  maxLength: LIMITS.eventNameChars,
  format: 'event-name',
})
/** A search term (`?q=`): may be empty, never holds what a name may not. */
export const SearchTerm = Type.With(Type.String(), { maxLength: LIMITS.displayNameChars, format: 'search' })
export const Emoji = Type.With(Type.String(), {
  format: 'emoji',
  maxLength: 64,
  description: 'One RGI emoji',
})
export const Seq = Type.Integer({ minimum: 0, maximum: 2_147_483_647 })
export const Rev = Type.Integer({ minimum: 0, maximum: 2_147_483_647 })

export const Role = Type.Union([Type.Literal('guest'), Type.Literal('moderator'), Type.Literal('organizer')])
export const ConversationKind = Type.Union([
  Type.Literal('event'),
  Type.Literal('direct'),
  Type.Literal('group'),
])
export const MemberRole = Type.Union([Type.Literal('owner'), Type.Literal('member')])
export const PresenceStatus = Type.Union([
  Type.Literal('online'),
  Type.Literal('away'),
  Type.Literal('offline'),
])
export const ReactionAction = Type.Union([Type.Literal('add'), Type.Literal('remove')])

/** The text beside attachments: like Content, but it may be empty (a message of photos only). */
export const Caption = Type.String({
  format: 'caption',
  description: `Text beside attachments: 0–${LIMITS.messageChars} characters after trimming`,
})
