import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CADDYFILE = new URL('../../../../deploy/Caddyfile', import.meta.url).pathname

export interface Balancer {
  url: string
  logs: string[]
  stop(): Promise<void>
}

/**
 * Caddy with the shipped deploy/Caddyfile, as docker compose runs it; only what the file leaves to the
 * environment changes: plain http on a free port of 127.0.0.1, the two local instances as upstreams, and
 * the global options `admin off` and `auto_https off` (a loopback test needs neither).
 */
export async function startCaddy(upstreams: string[], port: number): Promise<Balancer> {
  const home = mkdtempSync(join(tmpdir(), 'secura-caddy-'))
  const logs: string[] = []
  const child: ChildProcess = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    env: {
      PATH: process.env.PATH,
      // Caddy's storage (certificates, autosave) in a folder of the test's own.
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CONFIG_HOME: join(home, 'config'),
      SITE_ADDRESS: `http://127.0.0.1:${port}`,
      CADDY_BIND: '127.0.0.1',
      SECURA_UPSTREAMS: upstreams.join(' '),
      CADDY_GLOBAL_OPTIONS: 'admin off\nauto_https off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean))
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await gone
    }
    rmSync(home, { recursive: true, force: true })
  }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) return { url, logs, stop }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`caddy did not start:\n${logs.slice(-20).join('\n')}`)
}
