import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { LIMIT_VARIABLES, LIMITS, type Limits } from '@secura/shared'
import { findUp } from './paths.ts'

export interface Config {
  port: number
  host: string
  publicUrl: string
  /** Postgres when set; embedded PGlite under dataDir otherwise. */
  databaseUrl: string | undefined
  redisUrl: string | undefined
  /** Prepended to every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string
  /** Cluster mode: how often an instance renews its entry in Redis, and how long the entry lives without renewal. */
  heartbeatMs: number
  instanceTtlMs: number
  adminToken: string
  /** True when the admin token was generated on this start (it is printed once). */
  adminTokenGenerated: boolean
  dataDir: string
  allowedOrigins: string[]
  logLevel: string
  limits: Limits
  /** Directory of the built web app; served when it exists. */
  webDist: string
  /** How long a guest session lasts. */
  sessionTtlMs: number
  /** Presence: how long after a user's last socket closes before they are shown offline. */
  presenceGraceMs: number
  /** Use `secure` cookies (PUBLIC_URL is https). */
  secureCookies: boolean
  /** Admission control: sends in flight on this instance, at most, and the age of the oldest beyond which new ones are refused. */
  sendsInFlight: number
  sendQueueMs: number
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const ADMIN_TOKEN_FILE = 'admin-token'
const workspaceFile = findUp('pnpm-workspace.yaml')
const DEFAULT_DATA_DIR = workspaceFile ? join(dirname(workspaceFile), '.data') : resolve('.data')

/** Reads and checks the environment; every bad variable is named with what is wrong with it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`)
      return fallback
    }
    return value
  }
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    try {
      const parsed = new URL(raw)
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL (got protocol "${parsed.protocol}")`)
      }
      return raw
    } catch {
      problems.push(`${name} is not a valid URL`)
      return undefined
    }
  }

  const port = int('PORT', 3000, 0, 65535)
  const host = env.HOST || '127.0.0.1'
  const publicUrl = (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '')
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'])
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:'])
  // `memory://` keeps the embedded database in memory (tests); any other value is a folder.
  // The default sits at the checkout's root, whichever package's folder a command runs in; a relative
  // DATA_DIR is taken from where the command was typed (pnpm's INIT_CWD).
  const dataDir = env.DATA_DIR?.startsWith('memory://')
    ? env.DATA_DIR
    : env.DATA_DIR
      ? resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR)
      : DEFAULT_DATA_DIR
  const logLevel = env.LOG_LEVEL || 'info'
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)

  const allowedOrigins = (env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
  for (const origin of allowedOrigins) {
    try {
      if (new URL(origin).origin !== origin)
        problems.push(`ALLOWED_ORIGINS: "${origin}" is not a bare origin`)
    } catch {
      problems.push(`ALLOWED_ORIGINS: "${origin}" is not a valid origin (scheme://host[:port])`)
    }
  }
  // The app's own origin is always allowed: the SPA is served from it.
  const ownOrigin = new URL(publicUrl).origin
  if (!allowedOrigins.includes(ownOrigin)) allowedOrigins.push(ownOrigin)

  const limits = { ...LIMITS } as Limits
  for (const [name, key] of Object.entries(LIMIT_VARIABLES)) {
    // A limit may be lowered or raised within sane bounds; message length and page size cannot exceed
    // what the shared protocol schemas accept.
    const ceiling = key === 'messageChars' || key === 'pageMax' ? LIMITS[key] : 1_000_000_000
    limits[key] = int(name, LIMITS[key], 1, ceiling)
  }
  if (limits.pageDefault > limits.pageMax) limits.pageDefault = limits.pageMax

  const sessionTtlDays = int('SESSION_TTL_DAYS', 30, 1, 3650)
  const presenceGraceMs = int('PRESENCE_GRACE_MS', 5000, 0, 600_000)
  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? 'secura:'
  if (!/^[\w.:-]{0,64}$/.test(redisKeyPrefix))
    problems.push('REDIS_KEY_PREFIX must be at most 64 letters, digits or . _ : -')
  const heartbeatMs = int('REDIS_HEARTBEAT_MS', 5000, 100, 60_000)
  // A crashed instance's users go offline within instanceTtlMs + heartbeatMs (+ a sweep): 20 s by default.
  const instanceTtlMs = int('REDIS_INSTANCE_TTL_MS', 15_000, 300, 600_000)
  if (instanceTtlMs < 2 * heartbeatMs)
    problems.push(
      'REDIS_INSTANCE_TTL_MS must be at least twice REDIS_HEARTBEAT_MS (one missed beat is no crash)',
    )

  const sendsInFlight = int('LIMIT_SENDS_IN_FLIGHT', 1000, 1, 1_000_000)
  const sendQueueMs = int('LIMIT_SEND_QUEUE_MS', 50, 1, 600_000)

  let adminToken = env.ADMIN_TOKEN ?? ''
  let adminTokenGenerated = false
  if (adminToken !== '' && adminToken.length < 16) problems.push('ADMIN_TOKEN must be at least 16 characters')

  if (problems.length > 0) throw new ConfigError(problems)

  if (adminToken === '') {
    const file = join(dataDir, ADMIN_TOKEN_FILE)
    if (existsSync(file)) {
      adminToken = readFileSync(file, 'utf8').trim()
    } else {
      mkdirSync(dataDir, { recursive: true })
      adminToken = randomBytes(32).toString('base64url')
      writeFileSync(file, `${adminToken}\n`, { mode: 0o600 })
      adminTokenGenerated = true
    }
  }

  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    redisUrl,
    redisKeyPrefix,
    heartbeatMs,
    instanceTtlMs,
    adminToken,
    adminTokenGenerated,
    dataDir,
    allowedOrigins,
    logLevel,
    limits,
    webDist: env.WEB_DIST
      ? resolve(env.WEB_DIST)
      : (findUp('apps/web/dist', 'web/dist') ?? resolve('web/dist')),
    sessionTtlMs: sessionTtlDays * 86_400_000,
    presenceGraceMs,
    secureCookies: publicUrl.startsWith('https:'),
    sendsInFlight,
    sendQueueMs,
  }
}
