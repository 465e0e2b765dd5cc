import { LIMITS } from './limits.ts'

/**
 * What text the protocol accepts, and why it refuses the rest, in words a guest understands. Postgres
 * refuses NUL in text (so it must never reach it), lone surrogates are not text at all, and bidi controls or
 * invisible characters let a name pretend to be another ("\u202Egnp.exe" reads as "exe.png").
 */

// With the `u` flag a surrogate range matches only halves without their partner.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u
/** C0 controls and DEL, except tab, line feed and carriage return, which message text may hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_IN_MESSAGE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/
/** Every C0 and C1 control: a name, title or search is one line of plain text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/
/**
 * Invisible characters. The zero-width joiner is allowed between two pictographs only, where it builds one
 * emoji (👨‍👩‍👧); anywhere else it hides in a name.
 */
const INVISIBLE =
  /\u034F|\u17B4|\u17B5|[\u00AD\u115F\u1160\u180E\u200B\u200C\u2060-\u2064\u3164\uFEFF\uFFA0]|(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|\u200D(?!\p{Extended_Pictographic})/u
const NON_SPACE = /\S/

const codePoint = (text: string, pattern: RegExp): string => {
  const found = pattern.exec(text)?.[0] ?? ''
  return `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/** Why a caption (the text of a message with attachments, which may be empty) is refused, if it is. */
export function captionProblem(text: string, maxChars: number = LIMITS.messageChars): string | undefined {
  return text.trim().length === 0 ? undefined : messageTextProblem(text, maxChars)
}

/** Why message text is refused, or undefined when it is fine. Counted after trimming, in UTF-16 units. */
export function messageTextProblem(text: string, maxChars: number = LIMITS.messageChars): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must not contain broken characters (a lone surrogate)'
  if (CONTROL_IN_MESSAGE.test(text))
    return `must not contain control characters (${codePoint(text, CONTROL_IN_MESSAGE)})`
  const length = text.trim().length
  if (length === 0) return 'must not be empty'
  if (length > maxChars) return `must be at most ${maxChars} characters (it has ${length})`
  return undefined
}

/** Why a name (a display name, group title or event name) is refused, or undefined when it is fine. */
export function nameProblem(text: string, maxChars: number): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must not contain broken characters (a lone surrogate)'
  if (CONTROL.test(text)) return `must not contain control characters (${codePoint(text, CONTROL)})`
  if (BIDI_CONTROL.test(text))
    return `must not contain characters that reverse the text direction (${codePoint(text, BIDI_CONTROL)})`
  if (INVISIBLE.test(text)) return `must not contain invisible characters (${codePoint(text, INVISIBLE)})`
  if (!NON_SPACE.test(text)) return 'must contain a visible character'
  if (text.trim().length > maxChars) return `must be at most ${maxChars} characters`
  return undefined
}

/** Why a search term is refused: the same characters as names, but it may be empty or spaces. */
export function searchProblem(text: string): string | undefined {
  if (text.length > LIMITS.displayNameChars) return `must be at most ${LIMITS.displayNameChars} characters`
  if (text.trim() === '') return undefined
  return nameProblem(text, LIMITS.displayNameChars)
}

/** The form a name is stored in: NFC, so two spellings of "é" are one name, without surrounding spaces. */
export const normalizeName = (name: string): string => name.normalize('NFC').trim()
