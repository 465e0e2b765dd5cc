import { compile, shapeProblem } from '@secura/shared'
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify'
import fp from 'fastify-plugin'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { AppError } from '../errors.ts'

// An integer as text: decimal digits, after a minus sign for a negative one (which the schema's minimum refuses).
const INTEGER_TEXT = /^-?[0-9]+$/

/**
 * Query strings and params arrive as text. Value.Convert takes more than integers for integers — it truncates
 * "1.5" to 1 and reads "", " 2", "0x10" and "1e3" as numbers — so an integer field whose text is anything but
 * an integer keeps its text, which the validator then refuses (VALIDATION): a request never silently asks
 * for another number than the one it wrote.
 */
function fromText(schema: TSchema, input: unknown): unknown {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {}
  // Taken before converting: Value.Convert may convert the input in place.
  const notIntegers = isRecord(input)
    ? Object.entries(properties).flatMap(([key, property]) => {
        const text = input[key]
        return property.type === 'integer' && typeof text === 'string' && !INTEGER_TEXT.test(text)
          ? [[key, text] as const]
          : []
      })
    : []
  const value = Value.Convert(schema, input)
  if (isRecord(value)) for (const [key, text] of notIntegers) value[key] = text
  return value
}
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * Requests are checked by the same compiled TypeBox validators as socket payloads. Query strings and
 * params are converted from text first (fromText); unknown fields are dropped, so no handler ever sees them.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = compile(schema)
  return (input: unknown) => {
    const value = httpPart === 'body' ? input : fromText(schema, input)
    const result = validator.parse(value)
    if (result.ok) return { value: result.value }
    return { error: result.issues.map((i) => ({ message: i.message, instancePath: i.path })) as never }
  }
}

export default fp(
  async (app: FastifyInstance) => {
    app.setValidatorCompiler(validatorCompiler)
    // JSON bodies are bounded in depth and size as soon as they are parsed, before anything walks them
    // (the validator, the error report, a handler); `__proto__` and `constructor` keys are refused.
    const parseJson = app.getDefaultJsonParser('error', 'error')
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
      parseJson(request, body as string, (error, value) => {
        if (error) return done(error, undefined)
        const problem = shapeProblem(value)
        if (problem) return done(new AppError('VALIDATION', problem), undefined)
        done(null, value)
      }),
    )
  },
  { name: 'validation' },
)
