import { type Static, type TSchema, TypeGuard } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'

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
      if (!check(value)) {
        const issues = explain(Value.Errors(schema, value))
          .slice(0, 10)
          .map((e) => ({
            path: e.path || '/',
            message: e.message,
          }))
        return { ok: false, issues }
      }
      return { ok: true, value: clean(schema, value) }
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

function clean<T extends TSchema>(schema: T, value: Static<T>): Static<T> {
  // Value.Clean mutates: clean a copy so the caller's object is left as it was. A union is cleaned
  // with its first matching branch (message:send carrying both ids keeps clientMessageId).
  if (TypeGuard.IsObject(schema) || TypeGuard.IsUnion(schema) || TypeGuard.IsArray(schema)) {
    return Value.Clean(schema, Value.Clone(value)) as Static<T>
  }
  return value
}
