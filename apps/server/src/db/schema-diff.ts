// Turns schema.prisma into migration SQL with Prisma's schema engine compiled to WebAssembly, because the
// native schema-engine binary behind `prisma migrate diff` cannot be downloaded on our machines.
// A development helper (db:new, the drift test), never loaded by the running server.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { DiffTarget, SchemaEngine } from '@prisma/schema-engine-wasm'
import { PrismaPGlite } from 'pglite-prisma-adapter'

type Runtime = typeof import('@prisma/schema-engine-wasm/schema_engine_bg')
type Result = { ok: true; value: unknown } | { ok: false; error: unknown }
type Methods = Record<string, (...args: unknown[]) => unknown>

// WebAssembly's types live in lib.dom, which this Node project does not load.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

let runtime: Promise<Runtime['SchemaEngine']> | undefined

// The package's main entry imports the .wasm as an ES module (wasm-bindgen's bundler target), which Node
// cannot do, so we instantiate it by hand the way Prisma's CLI does. Only once per process: wasm-bindgen
// keeps global state and a second instance fails with `unwrap_throw failed`.
function loadEngine(): Promise<Runtime['SchemaEngine']> {
  runtime ??= (async () => {
    const glue = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg')
    const bg: Runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg')
    const bytes = await readFile(join(dirname(glue), 'schema_engine_bg.wasm'))
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      './schema_engine_bg.js': bg,
    })
    bg.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return bg.SchemaEngine
  })()
  return runtime
}

// The engine expects the adapter wrapped as @prisma/driver-adapter-utils' bindMigrationAwareSqlAdapterFactory
// does: every async call resolves to a Result instead of throwing. That package is not our dependency and
// the wrapper is this small, so it is re-done here.
function capture(errors: unknown[], fn: (...args: unknown[]) => unknown, then = (v: unknown) => v) {
  return async (...args: unknown[]): Promise<Result> => {
    try {
      return { ok: true, value: then(await fn(...args)) }
    } catch (error) {
      const e = error as { name?: string; cause?: unknown }
      if (e?.name === 'DriverAdapterError' && typeof e.cause === 'object') {
        return { ok: false, error: e.cause }
      }
      errors.push(error)
      return { ok: false, error: { kind: 'GenericJs', id: errors.length - 1 } }
    }
  }
}

function bindMethods(errors: unknown[], source: object, names: string[], nested: Record<string, Bind> = {}) {
  const src = source as Methods
  const out: Record<string, unknown> = {}
  for (const name of names) {
    const fn = src[name]
    if (typeof fn !== 'function') continue
    const wrap = nested[name]
    out[name] = capture(errors, fn.bind(source), wrap && ((v) => wrap(errors, v as object)))
  }
  return out
}

type Bind = (errors: unknown[], source: object) => object

const bindTransaction: Bind = (errors, tx) => ({
  adapterName: (tx as { adapterName: string }).adapterName,
  provider: (tx as { provider: string }).provider,
  options: (tx as { options: unknown }).options,
  ...bindMethods(errors, tx, [
    'queryRaw',
    'executeRaw',
    'commit',
    'rollback',
    'createSavepoint',
    'rollbackToSavepoint',
    'releaseSavepoint',
  ]),
})

const adapterMethods = ['queryRaw', 'executeRaw', 'executeScript', 'dispose', 'startTransaction']

const bindAdapter: Bind = (errors, adapter) => {
  const src = adapter as Methods & { adapterName: string; provider: string }
  const out: Record<string, unknown> = {
    adapterName: src.adapterName,
    provider: src.provider,
    ...bindMethods(errors, adapter, adapterMethods, { startTransaction: bindTransaction }),
  }
  const info = src.getConnectionInfo
  if (typeof info === 'function') out.getConnectionInfo = () => ({ ok: true, value: info.call(adapter) })
  return out
}

const bindFactory: Bind = (errors, factory) => ({
  adapterName: (factory as { adapterName: string }).adapterName,
  provider: (factory as { provider: string }).provider,
  ...bindMethods(errors, factory, ['connect', 'connectToShadowDb'], {
    connect: bindAdapter,
    connectToShadowDb: bindAdapter,
  }),
})

const target = (content: string | undefined): DiffTarget =>
  content === undefined
    ? { tag: 'empty' }
    : { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content }] }

/** The shape of PrismaPg and PrismaPGlite that the engine relies on. */
export interface AdapterFactory {
  readonly provider: 'postgres'
  readonly adapterName: string
  connect(): Promise<object>
  connectToShadowDb(): Promise<object>
}

/**
 * SQL that migrates a database from `fromSchemaText` (or from nothing) to `schemaText`, exactly as
 * `prisma migrate diff --script` would write it.
 *
 * The engine connects even when both sides are schema files (it only reads the server version), so
 * `adapter` may point at any reachable Postgres; it is left open. Without one, an in-memory PGlite is
 * started for the call, which spares a Postgres server but costs a few seconds.
 */
export async function schemaToSql(
  schemaText: string,
  fromSchemaText?: string,
  adapter?: AdapterFactory,
): Promise<string> {
  const SchemaEngine = await loadEngine()
  const own = adapter ? undefined : new PGlite()
  const factory = adapter ?? new PrismaPGlite(own!)
  const errors: unknown[] = []
  let engine: SchemaEngine | undefined
  try {
    engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, bindFactory(errors, factory))
    const { stdout } = await engine.diff({
      from: target(fromSchemaText),
      to: target(schemaText),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    })
    return stdout ?? ''
  } catch (error) {
    throw errors.length > 0 ? new Error(`schema engine: ${String(error)}`, { cause: errors.at(-1) }) : error
  } finally {
    engine?.free()
    await own?.close()
  }
}
