/** Defaults of protocol §7; the server reads the variable named beside each to override it. */
export const LIMITS = {
  /** Message text, counted after trimming. */
  messageChars: 4000,
  /** Socket packet (`maxHttpBufferSize`) and REST body, in bytes. */
  packetBytes: 64 * 1024,
  /** History page size: maximum and default. */
  pageMax: 100,
  pageDefault: 50,
  /** Group size, creator included. */
  groupMembers: 256,
  titleChars: 80,
  displayNameChars: 40,
  /** Message sends per user, over socket and HTTP together: a token bucket that starts full. */
  sendPerSec: 5,
  sendBurst: 20,
  /** Other socket events, per socket. */
  eventsPerSec: 20,
  /** `POST /api/auth/join`, per client IP. */
  joinsPerMin: 30,
  socketsPerUser: 10,
  /** `presence:subscribe` list length. */
  presenceSubscribe: 200,
  /** `POST /sync` cursors in one request. */
  syncCursors: 500,
  /** Client message ids are the client's own: a UUID, or the seed's `msg_<time>`. */
  clientMessageIdChars: 64,
  /** Invitations: how many uses one code may have, and how many one batch may create. */
  invitationMaxUses: 100_000,
  eventNameChars: 120,
  /** Any payload, REST body, socket event or handshake: levels of nesting and values in all. */
  payloadDepth: 8,
  payloadNodes: 4096,
  /** Message edits and reactions per user, over socket and HTTP together: a token bucket that starts full. */
  changePerSec: 5,
  changeBurst: 20,
  /** Wrong admin tokens per client address, a minute. */
  adminFailuresPerMin: 10,
  /** One uploaded file, in bytes, and the files one message may carry. */
  uploadBytes: 20 * 1024 * 1024,
  attachmentsPerMessage: 10,
  /** Uploads per user a minute, and the bytes one user may have stored in all. */
  uploadsPerMin: 30,
  uploadQuotaBytes: 500 * 1024 * 1024,
  /** Pixels of an image, read from its header before it is decoded: beyond it, a decompression bomb. */
  imagePixels: 50_000_000,
  /** Users one message may mention. */
  mentions: 50,
  /** Message search: characters of the query, words of it used, and results a page (maximum and default). */
  searchChars: 200,
  searchTerms: 8,
  searchPageMax: 50,
  searchPageDefault: 20,
  /** How deep search pages go: a cursor past this many results is refused. */
  searchDepth: 500,
} as const

/** Environment variables that override a limit (protocol §7). */
export const LIMIT_VARIABLES = {
  LIMIT_MESSAGE_CHARS: 'messageChars',
  LIMIT_PACKET_BYTES: 'packetBytes',
  LIMIT_PAGE: 'pageMax',
  LIMIT_GROUP_MEMBERS: 'groupMembers',
  LIMIT_SEND_PER_SEC: 'sendPerSec',
  LIMIT_SEND_BURST: 'sendBurst',
  LIMIT_EVENTS_PER_SEC: 'eventsPerSec',
  LIMIT_JOINS_PER_MIN: 'joinsPerMin',
  LIMIT_SOCKETS_PER_USER: 'socketsPerUser',
  LIMIT_CHANGE_PER_SEC: 'changePerSec',
  LIMIT_CHANGE_BURST: 'changeBurst',
  LIMIT_ADMIN_FAILURES_PER_MIN: 'adminFailuresPerMin',
  LIMIT_UPLOAD_BYTES: 'uploadBytes',
  LIMIT_ATTACHMENTS: 'attachmentsPerMessage',
  LIMIT_UPLOADS_PER_MIN: 'uploadsPerMin',
  LIMIT_UPLOAD_QUOTA_BYTES: 'uploadQuotaBytes',
  LIMIT_IMAGE_PIXELS: 'imagePixels',
} as const satisfies Record<string, keyof typeof LIMITS>

export type Limits = { -readonly [K in keyof typeof LIMITS]: number }

/** Typing indicators: clients refresh about every 3 s; the server clears one after 6 s without refresh. */
export const TYPING_REFRESH_MS = 3000
export const TYPING_EXPIRY_MS = 6000
