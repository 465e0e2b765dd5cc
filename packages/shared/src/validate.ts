import { IsArray, IsObject, IsUnion, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import type { TLocalizedValidationError as ValueError } from 'typebox/error'
import { Value } from 'typebox/value'
import { LIMITS } from './limits.ts'
import { TEXT_FORMATS } from './primitives.ts'

export interface ValidationIssue {
  path: string
  message: string
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] }

export interface Validator<T extends TSchema> {
  schema: T
  check(value: unknown): value is Static<T>
  /** Checks, then returns a copy holding only the fields the schema names: unknown fields are dropped. */
  parse(value: unknown): Validated<Static<T>>
}

// The compiled checker builds code with `new Function`; under a strict CSP (the web app) that throws,
// and the interpreted checker, which gives the same answers, takes over.
function compileCheck<T extends TSchema>(schema: T): (value: unknown) => value is Static<T> {
  try {
    const compiled = Compile(schema)
    return (value): value is Static<T> => compiled.Check(value)
  } catch {
    return (value): value is Static<T> => Value.Check(schema, value)
  }
}

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const check = compileCheck(schema)
  return {
    schema,
    check,
    parse(value) {
      // Bounded first: the checker, the error walk and the copy all recurse, and a 5,000-deep array
      // overflows the stack before any of them can say no.
      const shape = shapeProblem(value)
      if (shape) return { ok: false, issues: [{ path: '/', message: shape }] }
      if (!check(value)) {
        const issues = explain(schema, value, Value.Errors(schema, value))
          .flatMap((e) => toIssues(e, value))
          .slice(0, 10)
        return { ok: false, issues }
      }
      return { ok: true, value: pick(schema, value) as Static<T> }
    },
  }
}

// TypeBox reports a missing property at its object; the issue names the property itself (`/userId`).
function toIssues(error: ValueError, root: unknown): ValidationIssue[] {
  if (error.keyword === 'required')
    return error.params.requiredProperties.map((key) => ({
      path: `${error.instancePath}/${key}`,
      message: 'is required',
    }))
  return [{ path: error.instancePath || '/', message: humanMessage(error, root) }]
}

// A union reports "must match a schema in anyOf" at its own path, after the errors of every branch. For a
// union of objects (message:send, a new conversation, a nullable Message) the errors of the closest branch
// say what is actually wrong; the other branches' errors are noise. Outer unions are settled first.
function explain(schema: TSchema, value: unknown, errors: ValueError[]): ValueError[] {
  const unions = errors
    .filter((e) => e.keyword === 'anyOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length)
  let result = errors
  for (const union of unions) {
    if (!result.includes(union)) continue // inside a branch set aside by an outer union
    const prefix = `${union.schemaPath}/anyOf/`
    const branchOf = (e: ValueError) => {
      if (!e.schemaPath.startsWith(prefix)) return undefined
      const index = Number.parseInt(e.schemaPath.slice(prefix.length), 10)
      return Number.isNaN(index) ? undefined : index
    }
    const inside = result.filter((e) => branchOf(e) !== undefined)
    let closest: ValueError[] | undefined
    const at = pointer(value, union.instancePath.split('/').slice(1))
    const variants = pointer(schema, union.schemaPath.split('/').slice(1))
    if (typeof at === 'object' && at !== null && IsUnion(variants)) {
      variants.anyOf.forEach((variant, i) => {
        if (!IsObject(variant)) return
        const found = inside.filter((e) => branchOf(e) === i)
        if (found.length > 0 && (!closest || found.length < closest.length)) closest = found
      })
    }
    result = result.flatMap((e) => (e === union ? (closest ?? [e]) : inside.includes(e) ? [] : [e]))
  }
  return result
}

/** What a JSON pointer's segments name inside `root`: a schema (schemaPath) or a value (instancePath). */
function pointer(root: unknown, segments: string[]): unknown {
  let node = root
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[segment.replaceAll('~1', '/').replaceAll('~0', '~')]
  }
  return node
}

/**
 * Why a payload is too deep or too big to look at, or undefined. Walks with its own stack, stopping at the
 * first level or value over the limit, so it costs at most `maxNodes` steps whatever it is given.
 */
export function shapeProblem(
  value: unknown,
  maxDepth: number = LIMITS.payloadDepth,
  maxNodes: number = LIMITS.payloadNodes,
): string | undefined {
  const stack: [unknown, number][] = [[value, 0]]
  let nodes = 0
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (++nodes > maxNodes) return `The payload holds too many values (at most ${maxNodes})`
    if (typeof current !== 'object' || current === null) continue
    if (depth >= maxDepth) return `The payload is nested too deeply (at most ${maxDepth} levels)`
    const children = Array.isArray(current) ? current : Object.values(current)
    if (nodes + children.length > maxNodes) return `The payload holds too many values (at most ${maxNodes})`
    for (const child of children) stack.push([child, depth + 1])
  }
  return undefined
}

/** TypeBox's messages name the check ("must match format \"title\""): these say what is wrong. */
function humanMessage(error: ValueError, root: unknown): string {
  switch (error.keyword) {
    case 'format': {
      const { format } = error.params as { format: string }
      const value = pointer(root, error.instancePath.split('/').slice(1))
      return TEXT_FORMATS[format]?.(String(value)) ?? error.message
    }
    case 'maxLength':
      return `must be at most ${(error.params as { limit: number }).limit} characters`
    case 'minLength': {
      const { limit } = error.params as { limit: number }
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`
    }
    default:
      return error.message
  }
}

/**
 * A new value holding only what the schema names: unknown fields are never copied, at any depth. A union
 * takes its first matching branch (message:send carrying both ids keeps clientMessageId).
 */
function pick(schema: TSchema, value: unknown): unknown {
  if (IsObject(schema) && typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    const source = value as Record<string, unknown>
    for (const [key, property] of propertiesOf(schema)) {
      if (Object.hasOwn(source, key) && source[key] !== undefined) out[key] = pick(property, source[key])
    }
    return out
  }
  if (IsArray(schema) && Array.isArray(value)) return value.map((item) => pick(schema.items, item))
  if (IsUnion(schema)) {
    const branch = schema.anyOf.find((variant) => checkerOf(variant)(value))
    return branch ? pick(branch, value) : value
  }
  return value
}

// Made once per schema, not per value: the copy runs on every valid payload (every message:send picks a
// branch of its union), and TypeBox's interpreted Value.Check there was the validator's largest cost.
const checkers = new WeakMap<TSchema, (value: unknown) => boolean>()
const checkerOf = (schema: TSchema) => {
  let check = checkers.get(schema)
  if (!check) {
    check = compileCheck(schema)
    checkers.set(schema, check)
  }
  return check
}
const properties = new WeakMap<TSchema, [string, TSchema][]>()
const propertiesOf = (schema: TSchema & { properties: Record<string, TSchema> }) => {
  let entries = properties.get(schema)
  if (!entries) {
    entries = Object.entries(schema.properties)
    properties.set(schema, entries)
  }
  return entries
}

/** Fields a person types, by the name the apps give them. */
const FIELD_LABELS: Record<string, string> = {
  '/displayName': 'The display name',
  '/content': 'The message',
  '/newContent': 'The message',
  '/title': 'The title',
  '/name': 'The event name',
  '/q': 'The search',
}

/**
 * One refusal as a sentence: "The display name must not contain …" for a field a person typed, or
 * `<context>: <path> <message>` for the rest, which only a faulty client sends.
 */
export function describeIssues(issues: ValidationIssue[], context: string): string {
  const first = issues[0]
  if (!first) return `Invalid ${context}`
  const label = FIELD_LABELS[first.path]
  if (label) return `${label} ${first.message}`
  return `Invalid ${context}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`
}
