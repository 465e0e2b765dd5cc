import { describe, expect, it } from 'vitest'
import { splitLinks } from './links.ts'

describe('splitLinks', () => {
  it('keeps plain text as one part', () => {
    expect(splitLinks('hello <b>there</b>')).toEqual([{ kind: 'text', text: 'hello <b>there</b>' }])
  })

  it('turns http and https addresses into links, leaving trailing punctuation out', () => {
    expect(splitLinks('see https://example.com/a?b=1, and http://x.org.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
      { kind: 'text', text: '.' },
    ])
  })

  it('keeps a closing parenthesis that belongs to the address', () => {
    const [link] = splitLinks('https://en.wikipedia.org/wiki/Foo_(bar)')
    expect(link).toMatchObject({ kind: 'link', text: 'https://en.wikipedia.org/wiki/Foo_(bar)' })
  })

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>x</script>',
      'ftp://host/file',
      'vbscript:x',
    ]) {
      expect(splitLinks(text).every((part) => part.kind === 'text')).toBe(true)
    }
  })

  it('does not link an address hidden in another scheme', () => {
    const parts = splitLinks('javascript://https://evil.example/%0aalert(1)')
    for (const part of parts) if (part.kind === 'link') expect(part.href.startsWith('https://')).toBe(true)
  })
})
