import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MessageSendInput } from './events.ts'
import { ConversationSummary, Message, User } from './models.ts'
import { Content } from './primitives.ts'
import { CreateConversationBody, SyncBody } from './rest.ts'
import { ids, member, message, summary, user, uuid } from './test-utils.ts'
import { compile } from './validate.ts'

const send = { conversationId: ids.conversation, content: 'Hello', messageId: 'msg_1717243200000' }

describe('compile', () => {
  it('keeps the schema and checks as a type guard', () => {
    const validator = compile(MessageSendInput)
    expect(validator.schema).toBe(MessageSendInput)
    expect(validator.check(send)).toBe(true)
    expect(validator.check({ ...send, content: '' })).toBe(false)
  })
})

describe('parse', () => {
  it('drops fields the schema does not name, leaving the caller’s object unchanged', () => {
    const input = { ...send, senderId: ids.other, seq: 99, eventId: ids.event, timestamp: new Date(0) }
    const before = Value.Clone(input)
    const result = compile(MessageSendInput).parse(input)
    expect(result).toEqual({ ok: true, value: send })
    if (!result.ok) return
    for (const key of ['senderId', 'seq', 'eventId', 'timestamp'])
      expect(result.value).not.toHaveProperty(key)
    expect(result.value).not.toBe(input)
    expect(input).toEqual(before)
  })

  it('drops unknown fields inside nested objects, arrays and nullable unions', () => {
    const input = {
      ...summary,
      isAdmin: true,
      lastMessage: { ...message, senderName: 'Mallory', reactions: [{ emoji: '👍', userIds: [], extra: 1 }] },
      members: [{ ...member, email: 'a@b.c' }],
    }
    const before = Value.Clone(input)
    const result = compile(ConversationSummary).parse(input)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value).not.toHaveProperty('isAdmin')
    expect(result.value.lastMessage).not.toHaveProperty('senderName')
    expect(result.value.lastMessage?.reactions[0]).toEqual({ emoji: '👍', userIds: [] })
    expect(result.value.members[0]).toEqual(member)
    expect(input).toEqual(before)
  })

  it('cleans the matching branch of a union', () => {
    const input = { kind: 'group', title: 'Team', userIds: [ids.other], userId: ids.user, role: 'owner' }
    const result = compile(CreateConversationBody).parse(input)
    expect(result).toEqual({ ok: true, value: { kind: 'group', title: 'Team', userIds: [ids.other] } })
  })

  it('keeps clientMessageId, not the seed messageId, when a send carries both', () => {
    const result = compile(MessageSendInput).parse({ ...send, clientMessageId: uuid(7) })
    expect(result).toEqual({
      ok: true,
      value: { conversationId: send.conversationId, content: send.content, clientMessageId: uuid(7) },
    })
  })

  it('cleans array items', () => {
    const result = compile(SyncBody).parse({
      cursors: [{ conversationId: ids.conversation, rev: 3, seq: 1 }],
    })
    expect(result).toEqual({ ok: true, value: { cursors: [{ conversationId: ids.conversation, rev: 3 }] } })
  })

  it('returns scalars as they are', () => {
    expect(compile(Content).parse(' hi ')).toEqual({ ok: true, value: ' hi ' })
  })

  it.each([
    ['/content', { ...send, content: '   ' }],
    ['/conversationId', { ...send, conversationId: 'general' }],
    ['/', 'not an object'],
  ])('reports an issue at %s', (path, value) => {
    const result = compile(MessageSendInput).parse(value)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((issue) => issue.path)).toContain(path)
    for (const issue of result.issues) expect(issue.message).toEqual(expect.any(String))
  })

  it.each([
    ['a direct conversation without userId', '/userId', CreateConversationBody, { kind: 'direct' }],
    [
      'a bad lastMessage',
      '/lastMessage/seq',
      ConversationSummary,
      { ...summary, lastMessage: { ...message, seq: -1 } },
    ],
    ['an unknown role (a union of literals)', '/role', User, { ...user, role: 'admin' }],
    ['a bad nullable date', '/editedAt', Message, { ...message, editedAt: 0 }],
  ] as const)('explains %s at %s', (_label, path, schema, value) => {
    const result = compile(schema as TSchema).parse(value)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(new Set(result.issues.map((issue) => issue.path))).toEqual(new Set([path]))
  })

  it('reports at most 10 issues', () => {
    const bad = Object.fromEntries(Object.keys(message).map((key) => [key, Symbol(key)]))
    const result = compile(Message).parse(bad)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues.length).toBeLessThanOrEqual(10)
  })
})

describe('without code generation (strict CSP)', () => {
  afterEach(() => {
    vi.doUnmock('typebox/compile')
    vi.resetModules()
  })

  it('falls back to the interpreted checker with the same answers', async () => {
    // An ES module's export cannot be spied on in place: the compiler module is replaced for a fresh import.
    const spy = vi.fn(() => {
      throw new EvalError('Refused to evaluate a string as JavaScript')
    })
    vi.doMock('typebox/compile', () => ({ Compile: spy }))
    vi.resetModules()
    const { compile } = await import('./validate.ts')
    const { check, parse } = compile(MessageSendInput)
    expect(spy).toHaveBeenCalled()
    expect(check(send)).toBe(true)
    expect(check({ ...send, content: '\n' })).toBe(false)
    expect(check({ ...send, messageId: 'has space' })).toBe(false)
    expect(parse({ ...send, senderId: ids.other })).toEqual({ ok: true, value: send })
  })
})
