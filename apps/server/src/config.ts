import { dirname, join, resolve } from 'node:path'
import { LIMIT_VARIABLES, LIMITS, type Limits } from '@secura/shared'
import { ADMIN_TOKEN_FILE } from './modules/identity/admin-token.ts'
import { ALL_INTERFACES, type Interfaces, isLoopbackUrl, lanAddresses } from './net/lan.ts'
import { localCertificate, readTls, type TlsFiles } from './net/tls.ts'
import { parseTrustProxy, type TrustProxy } from './net/trust-proxy.ts'
import { findUp } from './paths.ts'

export interface Config {
  port: number
  host: string
  publicUrl: string
  /** Postgres when set; embedded PGlite under dataDir otherwise. */
  databaseUrl: string | undefined
  redisUrl: string | undefined
  /** Redis through Sentinel instead of REDIS_URL: the sentinels to ask, and the name of the master they watch. */
  redisSentinels: RedisSentinel[] | undefined
  redisSentinelName: string | undefined
  /** Prepended to every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string
  /** Cluster mode: how often an instance renews its entry in Redis, and how long the entry lives without renewal. */
  heartbeatMs: number
  instanceTtlMs: number
  /** ADMIN_TOKEN; unset: a token generated once and kept hashed in the database (modules/identity/admin-token). */
  adminToken: string | undefined
  /** Embedded database only: where a generated admin token is also kept, as `pnpm start` always did. */
  adminTokenFile: string | undefined
  dataDir: string
  /** Attachment files (FILES_DIR, else DATA_DIR/files); undefined with an in-memory DATA_DIR: a temp folder. */
  filesDir: string | undefined
  /** S3_BUCKET set: attachment files in that bucket (S3_ENDPOINT for MinIO and the like), shared by instances. */
  s3: S3Config | undefined
  /** UPLOAD_GRACE_MS: uploads never sent, files no row names and crashed uploads' temp files go once this old. */
  uploadGraceMs: number
  /** UPLOAD_SWEEP_MS: how often the cluster sweeps them (one instance at a time). */
  uploadSweepMs: number
  /** IMAGE_RENDERS: photos decoded and re-encoded at once by this instance; the rest wait their turn. */
  imageRenders: number
  /** Venue mode: every URL of this machine on its networks (the banner's "Network:" lines). */
  lanUrls: string[]
  /** PUBLIC_URL reaches only the device it is opened on: invitations made now will not open on phones. */
  publicUrlIsLoopback: boolean
  /** The server speaks https itself (TLS_CERT/TLS_KEY, or `--https`'s local certificate). */
  tls: TlsFiles | undefined
  /** Whose X-Forwarded-For to believe: off, a hop count, or the balancer's addresses and ranges. */
  trustProxy: TrustProxy
  /** Joins per minute for the whole server (every address together), beside the per-address limit. */
  joinsPerMinTotal: number
  allowedOrigins: string[]
  logLevel: string
  limits: Limits
  /** Directory of the built web app; served when it exists. */
  webDist: string
  /** How long a guest session lasts. */
  sessionTtlMs: number
  /** How long an ended event stays readable to its guests (EVENT_READABLE_DAYS); after it, nobody of it signs in. */
  eventReadableMs: number
  /** Presence: how long after a user's last socket closes before they are shown offline. */
  presenceGraceMs: number
  /** Use `secure` cookies (PUBLIC_URL is https). */
  secureCookies: boolean
  /** Admission control: sends in flight on this instance at most; how long a queue may stand before new ones are refused; the wait it is then held to. */
  sendsInFlight: number
  sendQueueMs: number
  sendQueueTargetMs: number
  /** Sends written side by side (by conversation), each holding a pooled connection while it writes. */
  sendWriters: number
  sendSingles: number
  /** A few sends waiting for one writer go in one transaction, one commit (else one by one). */
  sendGroupCommit: boolean
  /** Web Push: VAPID keys from the environment (else generated once and kept in the database), and the subject. */
  push: PushConfig
  /** Presence: how long without activity in any tab or device before a connected user is shown away. */
  presenceAwayMs: number
}

export interface PushConfig {
  /** VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY, both or neither (base64url, as `web-push generate-vapid-keys` prints). */
  vapidPublicKey: string | undefined
  vapidPrivateKey: string | undefined
  /** VAPID_SUBJECT: a mailto: or https: contact for push services; PUBLIC_URL when unset. */
  subject: string
  /**
   * PUSH_ALLOW_LOOPBACK=true (development and tests only): subscriptions may point at http://127.0.0.1. Without
   * it an endpoint must be https on a public address (the server would otherwise post to any URL a guest names).
   */
  allowLoopback: boolean
}

export interface S3Config {
  bucket: string
  endpoint: string | undefined
  region: string
  /** Both, or neither (then the AWS SDK's default credential chain). */
  accessKeyId: string | undefined
  secretAccessKey: string | undefined
  prefix: string
}

export interface RedisSentinel {
  host: string
  port: number
}

/** `host:port` entries, comma-separated (an IPv6 host in brackets); each bad entry is named. */
export function parseSentinels(raw: string): { sentinels: RedisSentinel[]; problems: string[] } {
  const sentinels: RedisSentinel[] = []
  const problems: string[] = []
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/.exec(entry)
    const port = Number(match?.[2])
    if (!match || port < 1 || port > 65535) {
      problems.push(`REDIS_SENTINELS: "${entry}" is not host:port (port 1 to 65535)`)
      continue
    }
    sentinels.push({ host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port })
  }
  return { sentinels, problems }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
/** A venue's arrival wave (1,000 guests a minute) passes; a flood of joins from many addresses does not. */
export const DEFAULT_JOINS_PER_MIN_TOTAL = 1000

/** `pnpm start --lan` / `--https`; `interfaces` lets tests stand in for the machine's network. */
export interface StartOptions {
  lan?: boolean
  https?: boolean
  interfaces?: Interfaces
}
const workspaceFile = findUp('pnpm-workspace.yaml')
const DEFAULT_DATA_DIR = workspaceFile ? join(dirname(workspaceFile), '.data') : resolve('.data')

/** Reads and checks the environment; every bad variable is named with what is wrong with it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Config {
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
  // --lan binds every interface unless HOST says otherwise; binding them all (HOST=0.0.0.0) is venue mode too.
  const host = env.HOST || (options.lan ? '0.0.0.0' : '127.0.0.1')
  const explicitUrl = url('PUBLIC_URL', ['http:', 'https:'])
  // In a container (HOST=0.0.0.0 with PUBLIC_URL set) the machine's own addresses mean nothing to guests.
  const venue = Boolean(options.lan) || (ALL_INTERFACES.has(host) && !env.PUBLIC_URL)
  const addresses = venue ? lanAddresses(options.interfaces) : []
  if (explicitUrl) problems.push(...publicUrlProblems(explicitUrl))
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'])
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:'])
  let redisSentinels: RedisSentinel[] | undefined
  const redisSentinelName = env.REDIS_SENTINEL_NAME || undefined
  if (env.REDIS_SENTINELS) {
    const parsed = parseSentinels(env.REDIS_SENTINELS)
    problems.push(...parsed.problems)
    if (parsed.problems.length === 0) redisSentinels = parsed.sentinels
    if (env.REDIS_URL) problems.push('REDIS_SENTINELS and REDIS_URL are alternatives: set one of them')
    if (!redisSentinelName)
      problems.push(
        'REDIS_SENTINEL_NAME must name the master the sentinels watch (their `sentinel monitor` name)',
      )
  } else if (redisSentinelName) {
    problems.push('REDIS_SENTINEL_NAME needs REDIS_SENTINELS (the sentinels to ask, host:port,…)')
  }
  if (redisSentinelName && !/^[\w.-]{1,64}$/.test(redisSentinelName))
    problems.push('REDIS_SENTINEL_NAME must be at most 64 letters, digits or . _ -')
  // `memory://` keeps the embedded database in memory (tests); any other value is a folder.
  // The default sits at the checkout's root, whichever package's folder a command runs in; a relative
  // DATA_DIR is taken from where the command was typed (pnpm's INIT_CWD).
  const dataDir = env.DATA_DIR?.startsWith('memory://')
    ? env.DATA_DIR
    : env.DATA_DIR
      ? resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR)
      : DEFAULT_DATA_DIR

  const { tls: givenTls, problems: tlsProblems } = readTls(env.TLS_CERT, env.TLS_KEY)
  problems.push(...tlsProblems)
  const https = givenTls !== undefined || Boolean(options.https)
  if (options.https && !givenTls && dataDir.startsWith('memory://'))
    problems.push('DATA_DIR must be a folder for --https (its certificate is kept there)')
  const scheme = https ? 'https' : 'http'
  // Venue mode without PUBLIC_URL: invitations carry the machine's address on the venue network.
  const lanUrls = addresses.map((a) => `${scheme}://${a}:${port}`)
  const publicUrl = (explicitUrl ?? lanUrls[0] ?? `${scheme}://localhost:${port}`).replace(/\/+$/, '')
  if (https && explicitUrl?.startsWith('http:') && !problems.some((p) => p.startsWith('PUBLIC_URL')))
    problems.push(
      'PUBLIC_URL is http:// while the server speaks https (TLS_CERT or --https); make it https://',
    )
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
  // The app's own origin is always allowed: the SPA is served from it. In venue mode so is every address of
  // the machine, and localhost, where the organizer's own browser opens it.
  const ownOrigins = [publicUrl, ...lanUrls, ...(venue ? [`${scheme}://localhost:${port}`] : [])]
  for (const origin of ownOrigins.map((u) => new URL(u).origin))
    if (!allowedOrigins.includes(origin)) allowedOrigins.push(origin)

  const limits = { ...LIMITS } as Limits
  for (const [name, key] of Object.entries(LIMIT_VARIABLES)) {
    // A limit may be lowered or raised within sane bounds; message length and page size cannot exceed
    // what the shared protocol schemas accept.
    const ceiling =
      key === 'messageChars' || key === 'pageMax' || key === 'attachmentsPerMessage'
        ? LIMITS[key]
        : 1_000_000_000
    limits[key] = int(name, LIMITS[key], 1, ceiling)
  }
  if (limits.pageDefault > limits.pageMax) limits.pageDefault = limits.pageMax
  // Never below the per-address limit: a test or a bench that raises that one raises the ceiling with it.
  const joinsPerMinTotal = int(
    'LIMIT_JOINS_PER_MIN_TOTAL',
    Math.max(DEFAULT_JOINS_PER_MIN_TOTAL, limits.joinsPerMin),
    1,
    1_000_000_000,
  )
  const trust = parseTrustProxy(env.TRUST_PROXY)
  if ('problem' in trust) problems.push(trust.problem)

  const sessionTtlDays = int('SESSION_TTL_DAYS', 30, 1, 3650)
  const eventReadableDays = int('EVENT_READABLE_DAYS', 30, 0, 3650)
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

  // Uploads never sent, and files no row names, are removed once this old. Far longer than any upload takes
  // (queued for the image decoder, its temp file is not written to); seconds only for tests and drills.
  const uploadGraceMs = int('UPLOAD_GRACE_MS', 86_400_000, 1000, 30 * 86_400_000)
  const uploadSweepMs = int('UPLOAD_SWEEP_MS', 3_600_000, 1000, 86_400_000)
  // One at a time: a decode holds a photo's pixels and the encoder's buffers, so what a burst of photos costs
  // in memory is this many renders' worth (docs/performance.md#uploads), and the cores stay free for chat.
  const imageRenders = int('IMAGE_RENDERS', 1, 1, 64)

  const filesDir = env.FILES_DIR
    ? resolve(env.INIT_CWD ?? process.cwd(), env.FILES_DIR)
    : dataDir.startsWith('memory://')
      ? undefined
      : join(dataDir, 'files')

  const s3Endpoint = url('S3_ENDPOINT', ['http:', 'https:'])
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY))
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together')
  if (
    env.S3_BUCKET !== undefined &&
    env.S3_BUCKET !== '' &&
    !/^[a-z0-9][a-z0-9.-]{2,62}$/.test(env.S3_BUCKET)
  )
    problems.push('S3_BUCKET must be 3–63 lowercase letters, digits, dots or hyphens')
  const s3: S3Config | undefined = env.S3_BUCKET
    ? {
        bucket: env.S3_BUCKET,
        endpoint: s3Endpoint,
        region: env.S3_REGION || 'us-east-1',
        accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
        prefix: env.S3_PREFIX ?? '',
      }
    : undefined

  const sendsInFlight = int('LIMIT_SENDS_IN_FLIGHT', 1000, 1, 1_000_000)
  const sendQueueMs = int('LIMIT_SEND_QUEUE_MS', 50, 1, 600_000)
  const sendQueueTargetMs = int('LIMIT_SEND_QUEUE_TARGET_MS', 20, 1, 600_000)
  // The pool has 10 connections: 8 writers leave two for reads while every writer writes.
  const sendWriters = int('SEND_WRITERS', 8, 1, 64)
  // Of the writes in flight, how many may be single sends; the rest are batches (send-queue.ts).
  const sendSingles = int('SEND_SINGLES', 2, 1, 64)
  const groupCommit = env.SEND_GROUP_COMMIT || 'off'
  if (groupCommit !== 'on' && groupCommit !== 'off')
    problems.push(`SEND_GROUP_COMMIT must be on or off (got "${groupCommit}")`)

  const vapidPublicKey = env.VAPID_PUBLIC_KEY || undefined
  const vapidPrivateKey = env.VAPID_PRIVATE_KEY || undefined
  if (Boolean(vapidPublicKey) !== Boolean(vapidPrivateKey))
    problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together')
  if (vapidPublicKey && !/^[A-Za-z0-9_-]{87}$/.test(vapidPublicKey))
    problems.push('VAPID_PUBLIC_KEY must be a base64url P-256 public key (87 characters)')
  if (vapidPrivateKey && !/^[A-Za-z0-9_-]{43}$/.test(vapidPrivateKey))
    problems.push('VAPID_PRIVATE_KEY must be a base64url P-256 private key (43 characters)')
  const vapidSubject = env.VAPID_SUBJECT || undefined
  if (vapidSubject && !/^(mailto:|https:\/\/)/.test(vapidSubject))
    problems.push('VAPID_SUBJECT must be a mailto: or https:// address')
  const pushAllowLoopback = env.PUSH_ALLOW_LOOPBACK === 'true'
  const presenceAwayMinutes = int('PRESENCE_AWAY_MINUTES', 5, 1, 1440)

  const adminToken = env.ADMIN_TOKEN || undefined
  if (adminToken !== undefined && adminToken.length < 16)
    problems.push('ADMIN_TOKEN must be at least 16 characters')

  if (problems.length > 0) throw new ConfigError(problems)

  // Only once everything else is right: nothing is written for a start that is refused.
  let tls = givenTls
  if (options.https && !tls) {
    try {
      tls = localCertificate(join(dataDir, 'tls'), addresses)
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0]
      throw new ConfigError([
        `--https could not create a local certificate with openssl (${reason}); set TLS_CERT and TLS_KEY instead`,
      ])
    }
  }

  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    redisUrl,
    redisSentinels,
    redisSentinelName,
    redisKeyPrefix,
    heartbeatMs,
    instanceTtlMs,
    adminToken,
    adminTokenFile:
      databaseUrl || dataDir.startsWith('memory://') ? undefined : join(dataDir, ADMIN_TOKEN_FILE),
    dataDir,
    filesDir,
    s3,
    uploadGraceMs,
    uploadSweepMs,
    imageRenders,
    lanUrls,
    publicUrlIsLoopback: isLoopbackUrl(publicUrl),
    tls,
    trustProxy: 'problem' in trust ? false : trust.value,
    joinsPerMinTotal,
    allowedOrigins,
    logLevel,
    limits,
    webDist: env.WEB_DIST
      ? resolve(env.WEB_DIST)
      : (findUp('apps/web/dist', 'web/dist') ?? resolve('web/dist')),
    sessionTtlMs: sessionTtlDays * 86_400_000,
    eventReadableMs: eventReadableDays * 86_400_000,
    presenceGraceMs,
    secureCookies: publicUrl.startsWith('https:') || tls !== undefined,
    sendsInFlight,
    sendWriters,
    sendSingles,
    sendGroupCommit: groupCommit === 'on',
    sendQueueMs,
    sendQueueTargetMs,
    push: {
      vapidPublicKey,
      vapidPrivateKey,
      subject: vapidSubject ?? (publicUrl.startsWith('https:') ? publicUrl : 'mailto:operator@localhost'),
      allowLoopback: pushAllowLoopback,
    },
    presenceAwayMs: presenceAwayMinutes * 60_000,
  }
}

/** A PUBLIC_URL the app cannot be served at, or that no guest could open. */
function publicUrlProblems(raw: string): string[] {
  const url = new URL(raw)
  if (url.username || url.password) return ['PUBLIC_URL must not carry a user name or password']
  if (url.search || url.hash) return ['PUBLIC_URL must not have a query or fragment']
  // The app is served at the root of its origin: links to /join/<code> under a path would not reach it.
  if (url.pathname !== '/') return [`PUBLIC_URL must be an origin without a path (got "${url.pathname}")`]
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]')
    return [
      'PUBLIC_URL must name an address guests can reach, not 0.0.0.0 (the address to listen on is HOST)',
    ]
  return []
}
