import { describe, expect, it } from 'vitest'
import { EditMessageBody, JoinBody } from './rest.ts'
import { messageTextProblem, nameProblem, normalizeName } from './text.ts'
import { compile, shapeProblem } from './validate.ts'

describe('refusals a person can read', () => {
  it('a message one character too long says the limit, not a regular expression', () => {
    const result = compile(EditMessageBody).parse({ content: 'x'.repeat(4001) })
    expect(result).toEqual({
      ok: false,
      issues: [{ path: '/content', message: 'must be at most 4000 characters (it has 4001)' }],
    })
  })

  it('NUL and lone surrogates are refused naming the field', () => {
    const nul = compile(JoinBody).parse({ code: 'a'.repeat(32), displayName: 'Ada\u0000' })
    expect(nul).toEqual({
      ok: false,
      issues: [{ path: '/displayName', message: 'must not contain control characters (U+0000)' }],
    })
    expect(messageTextProblem('hi \uD800')).toBe('must not contain broken characters (a lone surrogate)')
    expect(messageTextProblem('line\r\n\ttab 😀')).toBeUndefined()
  })

  it('names: bidi controls and invisible characters are explained', () => {
    expect(nameProblem('\u202Egnp.exe\u202C Host', 40)).toBe(
      'must not contain characters that reverse the text direction (U+202E)',
    )
    expect(nameProblem('admin\u200b', 40)).toBe('must not contain invisible characters (U+200B)')
    expect(nameProblem('👨‍👩‍👧 family', 40)).toBeUndefined()
  })

  it('names are stored in NFC', () => {
    expect(normalizeName(' Zoe\u0301 ')).toBe('Zoé')
  })
})

describe('payload shape bound', () => {
  const deep = (n: number) => {
    let value: unknown = 0
    for (let i = 0; i < n; i++) value = [value]
    return value
  }

  it('refuses a 5,000-deep array without overflowing the stack', () => {
    expect(shapeProblem(deep(5000))).toBe('The payload is nested too deeply (at most 8 levels)')
    expect(compile(JoinBody).parse({ code: deep(5000), displayName: 'x' })).toMatchObject({
      ok: false,
      issues: [{ path: '/', message: expect.stringContaining('nested too deeply') }],
    })
  })

  it('refuses too many values, and accepts what the protocol sends', () => {
    expect(shapeProblem(Array.from({ length: 5000 }, () => 1))).toMatch(/too many values/)
    expect(shapeProblem({ cursors: Array.from({ length: 500 }, () => ({ a: 1, b: 2 })) })).toBeUndefined()
    expect(shapeProblem(deep(7))).toBeUndefined()
  })

  it('never copies an unknown field, however deep', () => {
    const parsed = compile(EditMessageBody).parse({ content: 'hi', extra: { deep: [1, 2, 3] } })
    expect(parsed).toEqual({ ok: true, value: { content: 'hi' } })
  })
})
