import { IsArray, IsObject, IsUnion, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import type { TLocalizedValidationError as ValueError } from 'typebox/error'
import { Value } from 'typebox/value'

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
      if (!check(value)) {
        const issues = explain(schema, value, Value.Errors(schema, value)).flatMap(toIssues).slice(0, 10)
        return { ok: false, issues }
      }
      return { ok: true, value: clean(schema, value) }
    },
  }
}

// TypeBox reports a missing property at its object; the issue names the property itself (`/userId`).
function toIssues(error: ValueError): ValidationIssue[] {
  if (error.keyword === 'required')
    return error.params.requiredProperties.map((key) => ({
      path: `${error.instancePath}/${key}`,
      message: 'is required',
    }))
  return [{ path: error.instancePath || '/', message: error.message }]
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

function clean<T extends TSchema>(schema: T, value: Static<T>): Static<T> {
  // Value.Clean mutates: clean a copy so the caller's object is left as it was. A union is cleaned
  // with its first matching branch (message:send carrying both ids keeps clientMessageId).
  if (IsObject(schema) || IsUnion(schema) || IsArray(schema)) {
    return Value.Clean(schema, Value.Clone(value)) as Static<T>
  }
  return value
}
