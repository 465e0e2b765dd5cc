/** Shared helpers and valid model samples for the shared package's tests (not exported from index.ts). */
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { compile } from './validate.ts'

export interface Cases {
  valid: unknown[]
  invalid: Array<[label: string, value: unknown]>
}

/** A readable, valid UUID per small number. */
export const uuid = (n: number): string => `0190a6c4-1f2e-7000-8000-${n.toString(16).padStart(12, '0')}`
export const NOW = '2024-06-01T12:00:00.000Z'
export const ids = {
  event: uuid(1),
  user: uuid(2),
  other: uuid(3),
  conversation: uuid(4),
  message: uuid(5),
  invitation: uuid(6),
}
export const uuids = (count: number): string[] => Array.from({ length: count }, (_, i) => uuid(i + 100))

/** A copy of `value` without `keys`: for "missing required field" samples. */
export const omit = (value: object, ...keys: string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)))

/** The names of a module's exports that are TypeBox schemas (TypeBox marks each with `~kind`). */
export const schemaNames = (mod: object): string[] =>
  Object.entries(mod)
    .filter(([, value]) => typeof value === 'object' && value !== null && Object.hasOwn(value, '~kind'))
    .map(([name]) => name)
    .sort()

const issuesOf = (schema: TSchema, value: unknown) =>
  JSON.stringify([...Value.Errors(schema, value)].map((e) => `${e.instancePath || '/'}: ${e.message}`))

/**
 * Table-driven schema tests: every schema the module exports must have a row; valid samples must pass and
 * invalid ones fail, both in the compiled checker and in the interpreted one (the web's fallback under CSP).
 */
export function describeSchemas(mod: object, table: Record<string, Cases>): void {
  const exports = mod as Record<string, TSchema>
  it('has samples for every schema the module exports', () => {
    expect(Object.keys(table).sort()).toEqual(schemaNames(mod))
  })
  describe.each(Object.keys(table))('%s', (name) => {
    const schema = exports[name]!
    const { check, parse } = compile(schema)
    const { valid, invalid } = table[name]!
    it('has at least one valid and three invalid samples', () => {
      expect(valid.length).toBeGreaterThanOrEqual(1)
      expect(invalid.length).toBeGreaterThanOrEqual(3)
    })
    it.each(valid.map((value, i) => [i, value] as const))('accepts valid sample %i', (_i, value) => {
      expect(check(value), issuesOf(schema, value)).toBe(true)
      expect(Value.Check(schema, value)).toBe(true)
      expect(parse(value).ok).toBe(true)
    })
    it.each(invalid)('rejects %s', (_label, value) => {
      expect(check(value)).toBe(false)
      expect(Value.Check(schema, value)).toBe(false)
      const result = parse(value)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.issues.length).toBeGreaterThan(0)
    })
  })
}

// ---- valid wire samples (protocol §2 and §5) ----

export const event = { id: ids.event, name: 'Gala 2024', startsAt: NOW, endsAt: null, createdAt: NOW }
export const user = {
  id: ids.user,
  eventId: ids.event,
  displayName: 'Ada',
  role: 'guest',
  createdAt: NOW,
  lastSeenAt: NOW,
}
export const directoryUser = {
  id: ids.other,
  displayName: 'Bob',
  role: 'moderator',
  status: 'online',
  lastSeenAt: NOW,
}
export const invitation = {
  id: ids.invitation,
  eventId: ids.event,
  role: 'guest',
  displayName: null,
  maxUses: 1,
  uses: 0,
  expiresAt: null,
  revokedAt: null,
  createdAt: NOW,
}
export const reaction = { emoji: '👍', userIds: [ids.other] }
export const message = {
  id: ids.message,
  conversationId: ids.conversation,
  seq: 1,
  rev: 1,
  senderId: ids.user,
  clientMessageId: 'msg_1717243200000',
  content: 'Hello',
  replyToId: null,
  timestamp: NOW,
  editedAt: null,
  deletedAt: null,
  deletedBy: null,
  reactions: [reaction],
}
export const member = { userId: ids.user, displayName: 'Ada', role: 'owner', joinedAt: NOW, lastReadSeq: 0 }
export const conversation = {
  id: ids.conversation,
  eventId: ids.event,
  kind: 'group',
  title: 'Volunteers',
  createdById: ids.user,
  createdAt: NOW,
  lastSeq: 1,
  lastRev: 1,
  lastMessageAt: NOW,
  memberCount: 2,
  members: [member, { ...member, userId: ids.other, displayName: 'Bob', role: 'member' }],
}
export const summary = {
  ...conversation,
  lastMessage: message,
  unreadCount: 0,
  lastReadSeq: 1,
  mentionCount: 0,
}
