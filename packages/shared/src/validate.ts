import { type Static, type TSchema, TypeGuard } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
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
    const compiled = TypeCompiler.Compile(schema)
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
        const issues = explain(Value.Errors(schema, value))
          .slice(0, 10)
          .map((e) => ({ path: e.path || '/', message: humanMessage(e) }))
        return { ok: false, issues }
      }
      return { ok: true, value: pick(schema, value) as Static<T> }
    },
  }
}

// A union reports only "Expected union value" at its own path. For a union of objects (message:send, a new
// conversation, a nullable Message) the errors of the closest branch say what is actually wrong.
function explain(errors: Iterable<ValueError>): ValueError[] {
  return [...errors].flatMap((error) => {
    if (error.type !== ValueErrorType.Union || typeof error.value !== 'object' || error.value === null)
      return [error]
    const variants = TypeGuard.IsUnion(error.schema) ? error.schema.anyOf : []
    let closest: ValueError[] | undefined
    error.errors.forEach((branch, i) => {
      if (!TypeGuard.IsObject(variants[i])) return
      const found = explain(branch)
      if (found.length > 0 && (!closest || found.length < closest.length)) closest = found
    })
    return closest ?? [error]
  })
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

/** TypeBox's messages name the check ("Expected string to match '^…$'"): these say what is wrong. */
function humanMessage(error: ValueError): string {
  const schema = error.schema as { format?: string; minLength?: number; maxLength?: number }
  switch (error.type) {
    case ValueErrorType.StringFormat: {
      const problem = schema.format ? TEXT_FORMATS[schema.format]?.(String(error.value)) : undefined
      return problem ?? error.message
    }
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema.maxLength} characters`
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`
    default:
      return error.message
  }
}

/**
 * A new value holding only what the schema names: unknown fields are never copied, at any depth. A union
 * takes its first matching branch (message:send carrying both ids keeps clientMessageId).
 */
function pick(schema: TSchema, value: unknown): unknown {
  if (TypeGuard.IsObject(schema) && typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    const source = value as Record<string, unknown>
    for (const [key, property] of Object.entries(schema.properties)) {
      if (Object.hasOwn(source, key) && source[key] !== undefined) out[key] = pick(property, source[key])
    }
    return out
  }
  if (TypeGuard.IsArray(schema) && Array.isArray(value)) return value.map((item) => pick(schema.items, item))
  if (TypeGuard.IsUnion(schema)) {
    const branch = schema.anyOf.find((variant) => Value.Check(variant, value))
    return branch ? pick(branch, value) : value
  }
  return value
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
