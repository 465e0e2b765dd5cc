import { describe, expect, it } from 'vitest'
import { searchTerms, snippet, toTsquery } from './terms.ts'

describe('searchTerms and toTsquery', () => {
  it('keeps words only, lowercased and once each, the last a prefix while typed', () => {
    expect(searchTerms('Rock & ROLL (live) rock', 8)).toEqual({
      words: ['rock', 'roll', 'live'],
      prefix: true,
    })
    expect(toTsquery(searchTerms('Rock & ROLL (live) rock', 8))).toBe("'rock' & 'roll' & 'live':*")
    expect(toTsquery(searchTerms('coffee ', 8))).toBe("'coffee'")
    expect(toTsquery(searchTerms('a', 8))).toBe("'a'")
    expect(searchTerms('&|!():*\'"\\<->', 8)).toEqual({ words: [], prefix: false })
    expect(searchTerms('one two three', 2).words).toEqual(['one', 'two'])
  })

  it('never lets a quote, backslash or operator into a lexeme', () => {
    const query = toTsquery(searchTerms("it's a\\b 'x' y:*z !w", 8))
    expect(query).toBe("'it' & 's' & 'a' & 'b' & 'x' & 'y' & 'z' & 'w'")
  })
})

describe('snippet', () => {
  const terms = (q: string) => searchTerms(q, 8)

  it('marks whole words and, for an unfinished last word, words it starts', () => {
    expect(snippet('Conference: confetti, CONF and a confirmation', terms('conf'))).toEqual([
      { text: 'Conference', match: true },
      { text: ': ' },
      { text: 'confetti', match: true },
      { text: ', ' },
      { text: 'CONF', match: true },
      { text: ' and a ' },
      { text: 'confirmation', match: true },
    ])
    expect(snippet('the cat catalogue', terms('cat '))).toEqual([
      { text: 'the ' },
      { text: 'cat', match: true },
      { text: ' catalogue' },
    ])
  })

  it('shows the text around the first match, cut at spaces, with ellipses', () => {
    const content = `${'lorem '.repeat(40)}needle ${'ipsum '.repeat(40)}`
    const parts = snippet(content, terms('needle'), 60)
    const text = parts.map((p) => p.text).join('')
    expect(text.startsWith('…lorem')).toBe(true)
    expect(text.endsWith('ipsum…')).toBe(true)
    expect(text.length).toBeLessThanOrEqual(62)
    expect(parts.filter((p) => p.match)).toEqual([{ text: 'needle', match: true }])
  })

  it('never splits a surrogate pair', () => {
    const content = `${'🎉'.repeat(50)} party ${'🎈'.repeat(50)}`
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
    for (const max of [40, 41, 42]) {
      for (const part of snippet(content, terms('party'), max)) expect(part.text).not.toMatch(lone)
    }
  })
})
