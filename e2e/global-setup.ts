import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freshDatabase } from './support/database.ts'
import { ServerProcess } from './support/server-process.ts'

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef'
export const VENUE_HOST = 'venue.test'
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url))
const webDist = fileURLToPath(new URL('../apps/web/dist/index.html', import.meta.url))

/**
 * Starts the real server (the built web app + apps/server) on 127.0.0.1 and a free port, on a fresh
 * database, and a small control endpoint on another port through which a test restarts it on the same
 * port and database. Tests find both in E2E_BASE_URL and E2E_CONTROL_URL, and the server under a LAN-like
 * name in E2E_VENUE_URL. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(webDist)) throw new Error('The web app is not built: run `pnpm test:e2e` from the root')
  mkdirSync(artifacts, { recursive: true })
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  // The same server under a LAN-like name (playwright.config.ts maps it to 127.0.0.1): plain http from a
  // name other than localhost is not a secure context, as on a venue's network.
  const venueUrl = `http://${VENUE_HOST}:${port}`
  const database = await freshDatabase()
  const server = new ServerProcess(
    url,
    {
      ...database.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      ALLOWED_ORIGINS: venueUrl,
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      // Every test joins its guests from this one address.
      LIMIT_JOINS_PER_MIN: '10000',
      PRESENCE_GRACE_MS: '1000',
    },
    `${artifacts}server.log`,
  )
  try {
    await server.start()
  } catch (error) {
    await server.close()
    await database.drop()
    throw error
  }

  const control = await listen(
    createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== '/restart') return void res.writeHead(404).end()
      server.restart().then(
        () => res.writeHead(204).end(),
        (error: unknown) => res.writeHead(500).end(String(error)),
      )
    }),
  )
  process.env.E2E_BASE_URL = url
  process.env.E2E_VENUE_URL = venueUrl
  process.env.E2E_CONTROL_URL = `http://127.0.0.1:${(control.address() as AddressInfo).port}`
  process.env.E2E_ADMIN_TOKEN = ADMIN_TOKEN
  // Where the server keeps its data, for tests that check what it stored (support/database.ts).
  if (database.env.DATABASE_URL) process.env.E2E_DATABASE_URL = database.env.DATABASE_URL
  if (database.env.DATA_DIR) process.env.E2E_DATA_DIR = database.env.DATA_DIR
  console.log(`e2e: server at ${url} on ${database.describe}`)

  return async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()))
    await server.close()
    await database.drop()
  }
}

async function freePort(): Promise<number> {
  const probe = await listen(createServer())
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}
