/** A piece of message text: plain, or a link the reader may open. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string }

// Candidates only: every match is checked again with the URL parser below.
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/gi
// Punctuation that usually ends a sentence rather than the address.
const TRAILING = /[.,;:!?'")\]}]+$/

/** Splits message text into text and http(s) links. Nothing else (javascript:, data:, …) ever becomes a link. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = []
  let last = 0
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index
    let candidate = match[0]
    const trailing = TRAILING.exec(candidate)
    // Keep a closing parenthesis that has its opening one inside the address (Wikipedia-style links).
    if (trailing && !(trailing[0] === ')' && candidate.includes('('))) {
      candidate = candidate.slice(0, -trailing[0].length)
    }
    const href = safeHref(candidate)
    if (!href) continue
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) })
    parts.push({ kind: 'link', text: candidate, href })
    last = start + candidate.length
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) })
  return parts
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}
