import type { SnippetSegment } from '@secura/shared'

/**
 * A word as search sees it: letters, digits and combining marks. Everything else in a query (spaces,
 * punctuation, the operators of Postgres' tsquery syntax) only separates words, so no input can reach the
 * database as query syntax.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu

/** A query's words, lowercased and deduplicated, at most `max`; the last one is typed still (a prefix). */
export interface SearchTerms {
  words: string[]
  /** The last word also matches longer words ("conf" finds "conference"): it may be unfinished. */
  prefix: boolean
}

/** A one-letter prefix would match most of the corpus; it is looked up as a whole word instead. */
const PREFIX_MIN_CHARS = 2

export function searchTerms(query: string, max: number): SearchTerms {
  const words = [...new Set((query.match(WORD) ?? []).map((w) => w.toLowerCase()))].slice(0, max)
  const last = words.at(-1)
  // A query ending in a separator ("coffee ") has finished its last word.
  const finished = !/[\p{L}\p{N}\p{M}]$/u.test(query)
  return { words, prefix: !!last && !finished && [...last].length >= PREFIX_MIN_CHARS }
}

/**
 * The tsquery text of the terms: every word, quoted, joined by AND, the last a prefix when typed still.
 * Words hold no quote, backslash or operator (WORD), so quoting them is enough to keep them lexemes.
 */
export function toTsquery({ words, prefix }: SearchTerms): string {
  return words.map((w, i) => `'${w}'${prefix && i === words.length - 1 ? ':*' : ''}`).join(' & ')
}

/** Characters of text a snippet shows: about two lines on a phone. */
export const SNIPPET_CHARS = 160
/** How much text before the first match a snippet keeps, so the match reads in context. */
const LEAD_CHARS = 40

/**
 * The part of `content` around its first matching word, as plain-text segments with the matches marked.
 * Matching follows the database's 'simple' configuration: whole words, case-insensitive, the last a prefix
 * when the query left it unfinished.
 */
export function snippet(content: string, terms: SearchTerms, maxChars = SNIPPET_CHARS): SnippetSegment[] {
  const exact = new Set(terms.words)
  const stem = terms.prefix ? terms.words.at(-1) : undefined
  const matches: { start: number; end: number }[] = []
  for (const m of content.matchAll(WORD)) {
    const word = m[0].toLowerCase()
    if (exact.has(word) || (stem !== undefined && word.startsWith(stem)))
      matches.push({ start: m.index, end: m.index + m[0].length })
  }
  const first = matches[0]
  let from = first ? Math.max(0, first.start - LEAD_CHARS) : 0
  // Start at a word's beginning, not inside one.
  if (from > 0) {
    const space = content.slice(from, first!.start).search(/\s/)
    if (space >= 0) from += space + 1
  }
  let to = Math.min(content.length, from + maxChars)
  if (to < content.length) {
    const cut = content.slice(from, to).search(/\s\S*$/)
    if (cut > 0 && (!first || from + cut > first.end)) to = from + cut
  }
  // Never split a surrogate pair at either end.
  if (from > 0 && isLowSurrogate(content.charCodeAt(from))) from--
  if (to < content.length && isLowSurrogate(content.charCodeAt(to))) to++

  const segments: SnippetSegment[] = []
  const text = (t: string) => {
    if (t === '') return
    const last = segments.at(-1)
    if (last && !last.match) last.text += t
    else segments.push({ text: t })
  }
  if (from > 0) text('…')
  let at = from
  for (const m of matches) {
    if (m.end <= from || m.start >= to) continue
    const start = Math.max(m.start, at)
    const end = Math.min(m.end, to)
    text(content.slice(at, start))
    segments.push({ text: content.slice(start, end), match: true })
    at = end
  }
  text(content.slice(at, to))
  if (to < content.length) text('…')
  return segments
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff
