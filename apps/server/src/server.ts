import { parseArgs } from 'node:util'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { banner } from './banner.ts'
import { ConfigError, loadConfig } from './config.ts'

// `pnpm start --lan [--https]`: pnpm passes the flags through to this script.
const { values: flags } = parseArgs({
  options: { lan: { type: 'boolean' }, https: { type: 'boolean' } },
  strict: false,
})

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig(process.env, { lan: flags.lan === true, https: flags.https === true })
} catch (error) {
  if (error instanceof ConfigError) {
    // One line per bad variable, naming it; nothing has started yet.
    for (const problem of error.problems) console.error(`Secura Chat cannot start: ${problem}`)
    process.exit(1)
  }
  throw error
}

const app = await buildApp(config)

// SIGTERM: stop taking connections, let socket commands and requests in flight finish, close the sockets
// (clients reconnect to another instance), then Redis and Postgres — see the plugins' preClose/onClose hooks.
// Whatever is still open after 10 s is cut (docker compose waits 20 s before SIGKILL).
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  const started = Date.now()
  if (err) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'closing')
  await app.close()
  app.log.info({ ms: Date.now() - started }, 'closed')
})

await app.listen({ port: config.port, host: config.host })

console.log(banner(config, app.adminTokenGenerated))
