// Brings a fresh checkout to a runnable state: dependencies, the Prisma client, the web build.
// Each step runs only when its output is missing or older than its inputs, so repeated runs cost little.
import { execSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, ...prismaEnv } })
// Prisma's CLI downloads a schema engine it does not need for `generate`; point it at a no-op.
const prismaEnv = { PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false' }

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue
    newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}
const stale = (output, ...inputs) =>
  !existsSync(join(root, output)) ||
  Math.max(...inputs.map((i) => newestMtime(join(root, i)))) > newestMtime(join(root, output))

if (stale('node_modules/.modules.yaml', 'pnpm-lock.yaml')) {
  run(`pnpm install ${process.env.CI ? '--frozen-lockfile' : ''}`)
}
if (stale('apps/server/src/generated/prisma', 'prisma/schema.prisma')) {
  run('pnpm exec prisma generate')
}
if (
  process.argv.includes('--web') &&
  stale(
    'apps/web/dist/index.html',
    'apps/web/src',
    'apps/web/sw',
    'apps/web/index.html',
    'packages/shared/src',
    'packages/chat-client/src',
  )
) {
  run('pnpm --filter @secura/web build')
}
