import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
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

const database = config.databaseUrl ? 'Postgres' : `embedded PGlite in ${config.dataDir}`
const lines = [
  '',
  `  Secura Chat is running at ${config.publicUrl}`,
  `  Database: ${database}`,
  `  Organizer console: ${config.publicUrl}/admin`,
  config.adminTokenGenerated
    ? `  Admin token (generated now, shown once; also in ${config.dataDir}/admin-token): ${config.adminToken}`
    : process.env.ADMIN_TOKEN
      ? '  Admin token: the ADMIN_TOKEN you set'
      : `  Admin token: in ${config.dataDir}/admin-token`,
  `  API docs: ${config.publicUrl}/docs`,
  '',
]
console.log(lines.join('\n'))
