// Node only here, in a test: the package itself stays free of Node and DOM APIs.
/// <reference types="node" />
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from './errors.ts'
import { ChatEvent, ClientEventSchemas } from './events.ts'
import { LIMIT_VARIABLES } from './limits.ts'
import { REST_ROUTES } from './rest.ts'

/** docs/protocol.md is the contract: everything the shared package defines must be described there. */
const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8')

/** The text of one numbered section, from its heading to the next section of the same level. */
function section(number: string): string {
  const start = doc.indexOf(`\n## ${number}. `)
  expect(start, `protocol §${number}`).toBeGreaterThanOrEqual(0)
  const end = doc.indexOf('\n## ', start + 1)
  return doc.slice(start, end === -1 ? undefined : end)
}

/** The first cells of a section's table rows, in backticks: what the table describes, one row each. */
function rowsOf(text: string): string[] {
  return [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!)
}

describe('docs/protocol.md', () => {
  it('describes every socket event in the events table of §5, each client event as C→S', () => {
    const s5 = section('5')
    const rows = rowsOf(s5)
    for (const name of Object.values(ChatEvent)) expect(rows, name).toContain(name)
    const clientRows = [...s5.matchAll(/^\| `([^`]+)` \| C→S \|/gm)].map((m) => m[1])
    expect(clientRows.sort()).toEqual(Object.keys(ClientEventSchemas).sort())
  })

  it('lists no socket event that the shared package does not define', () => {
    const names = new Set<string>(Object.values(ChatEvent))
    for (const row of rowsOf(section('5'))) expect(names, row).toContain(row)
  })

  it('describes every REST route, in the tables of §3 and §4, and no other', () => {
    const rows = [...rowsOf(section('3')), ...rowsOf(section('4'))].filter((r) => /^[A-Z]+ \//.test(r))
    expect([...rows].sort()).toEqual([...REST_ROUTES].sort())
  })

  it('gives every error code its HTTP status in §4', () => {
    const s4 = section('4')
    for (const code of ERROR_CODES)
      expect(s4, code).toMatch(new RegExp(`^\\| \`${code}\` \\| \\d{3} \\|`, 'm'))
  })

  it('names every limit variable in §7', () => {
    const s7 = section('7')
    for (const variable of Object.keys(LIMIT_VARIABLES)) expect(s7, variable).toContain(`\`${variable}\``)
  })

  it('keeps every section that references in the code point to', () => {
    for (const n of ['1', '2', '3', '4', '5', '6', '7', '7a', '8', '9']) section(n)
  })
})
