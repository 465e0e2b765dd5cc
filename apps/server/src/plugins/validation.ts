import { compile, shapeProblem } from '@secura/shared'
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify'
import fp from 'fastify-plugin'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { AppError } from '../errors.ts'

/**
 * Requests are checked by the same compiled TypeBox validators as socket payloads. Query strings and
 * params are converted from text first; unknown fields are dropped, so no handler ever sees them.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = compile(schema)
  return (input: unknown) => {
    const value = httpPart === 'body' ? input : Value.Convert(schema, input)
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
