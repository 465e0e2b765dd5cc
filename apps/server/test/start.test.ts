// `pnpm start --lan` as a process: the banner's LAN URL, the generated admin token printed once, an
// invitation made then that carries the LAN URL; and bad settings that stop the start with one line each.
// The server binds 127.0.0.1 only (HOST given): the LAN URL is derived and shown, the requests go to loopback.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io } from 'socket.io-client'
import { afterAll, describe, expect, it } from 'vitest'
import { lanAddresses } from '../src/net/lan.ts'
import { freePort } from './cluster/harness.ts'
import { onPostgres } from './helpers.ts'

const SERVER_DIR = new URL('..', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'secura-start-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const out = { stdout: '', stderr: '' }
  child.stdout?.on('data', (chunk) => {
    out.stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    out.stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, out, exited }
}

const until = async (check: () => boolean, what: string, ms = 60_000) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// `pnpm start` runs on the embedded database whatever the test run's DATABASE_URL: the Postgres pass would
// repeat these word for word.
describe.skipIf(onPostgres)('pnpm start --lan', () => {
  it('shows the LAN URL, prints the generated admin token once, and invitations carry the LAN URL', async () => {
    const port = await freePort()
    const server = start(['--lan'], { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: join(dir, 'lan') })
    await until(() => server.out.stdout.includes('API docs:') || server.child.exitCode !== null, 'the banner')
    const banner = server.out.stdout
    const lan = lanAddresses()
    const publicUrl = /Secura Chat is running at (\S+)/.exec(banner)?.[1]
    if (lan.length > 0) {
      expect(publicUrl).toBe(`http://${lan[0]}:${port}`)
      for (const address of lan) expect(banner).toContain(`Network:  http://${address}:${port}`)
      expect(banner).not.toContain('phones cannot open')
    } else {
      // A machine without a network: the derivation falls back to localhost, and says so.
      expect(publicUrl).toBe(`http://localhost:${port}`)
      expect(banner).toContain('phones cannot open')
    }
    const token = /Admin token \(generated now, shown once[^)]*\): (\S+)/.exec(banner)?.[1]
    expect(token).toMatch(/^[\w-]{43}$/)

    const base = `http://127.0.0.1:${port}`
    const call = async (method: string, path: string, body?: unknown, bearer = token) => {
      const res = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as any }
    }
    const event = await call('POST', '/api/admin/events', { name: 'Venue' })
    expect(event.status).toBe(201)
    const invitation = await call('POST', `/api/events/${event.body.event.id}/invitations`, { maxUses: 5 })
    expect(invitation.status).toBe(201)
    expect(invitation.body.url).toBe(`${publicUrl}/join/${invitation.body.code}`)
    expect(invitation.body.publicUrlIsLoopback).toBe(lan.length === 0)

    // The link opens: what the join page asks, then the join, then a socket from a page of that origin.
    const preview = await call('POST', '/api/auth/invitation', { code: invitation.body.code })
    expect(preview.body.event.name).toBe('Venue')
    const joined = await call('POST', '/api/auth/join', { code: invitation.body.code, displayName: 'Phone' })
    expect(joined.status).toBe(200)
    const socket = io(`${base}/chat`, {
      auth: { token: joined.body.token },
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { origin: publicUrl! },
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('connect_error', reject)
    })
    socket.disconnect()

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    // The second start finds the token: it is not generated or printed again.
    const again = start(['--lan'], { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: join(dir, 'lan') })
    await until(() => again.out.stdout.includes('API docs:'), 'the second banner')
    expect(again.out.stdout).not.toContain(token!)
    expect(again.out.stdout).toContain(`Admin token: in ${join(dir, 'lan', 'admin-token')}`)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)

    // The terminal's invitations: a warning without --lan, the LAN URL with it; then a new admin token.
    const admin = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], {
          cwd: SERVER_DIR,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            PORT: String(port),
            DATA_DIR: join(dir, 'lan'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        const out = { stdout: '', stderr: '' }
        cli.stdout.on('data', (chunk) => {
          out.stdout += chunk
        })
        cli.stderr.on('data', (chunk) => {
          out.stderr += chunk
        })
        cli.once('exit', (code) => resolve({ code, ...out }))
      })
    const eventId = event.body.event.id as string
    const plain = await admin('invite', eventId)
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain(`http://localhost:${port}/join/`)
    expect(plain.stderr).toContain('phones cannot open this invitation')
    if (lan.length > 0) {
      const onLan = await admin('invite', eventId, '--lan')
      expect(onLan.stdout).toContain(`${publicUrl}/join/`)
      expect(onLan.stderr).toBe('')
    }
    const rotated = await admin('token', '--rotate')
    expect(rotated.code).toBe(0)
    const newToken = /\n {2}(\S+)\n?$/.exec(rotated.stdout)?.[1]
    expect(newToken).toMatch(/^[\w-]{43}$/)
    expect(newToken).not.toBe(token)
    expect(readFileSync(join(dir, 'lan', 'admin-token'), 'utf8').trim()).toBe(newToken)
  }, 180_000)
})

describe.skipIf(onPostgres)('bad settings', () => {
  it.each([
    ['PUBLIC_URL', { PUBLIC_URL: 'http://chat.example.org/chat' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['TLS_CERT', { TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: join(SERVER_DIR, 'package.json') }],
  ])('%s: one line naming it, exit 1, nothing started', { timeout: 60_000 }, async (name, env) => {
    const dataDir = join(dir, `bad-${name}`)
    const server = start(['--lan', '--https'], { HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ...env })
    expect(await server.exited).toBe(1)
    const lines = server.out.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^Secura Chat cannot start: ${name}\\b`))
    expect(server.out.stdout).toBe('')
    // Nothing half-made: no database, no certificate, no token.
    expect(existsSync(dataDir)).toBe(false)
  })
})
