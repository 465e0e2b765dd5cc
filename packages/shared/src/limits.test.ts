import { describe, expect, it } from 'vitest'
import { LIMIT_VARIABLES, LIMITS, TYPING_EXPIRY_MS, TYPING_REFRESH_MS } from './limits.ts'

describe('limits', () => {
  it.each<[keyof typeof LIMITS, number]>([
    ['messageChars', 4000],
    ['packetBytes', 64 * 1024],
    ['pageMax', 100],
    ['pageDefault', 50],
    ['groupMembers', 256],
    ['titleChars', 80],
    ['displayNameChars', 40],
    ['sendPerSec', 5],
    ['sendBurst', 20],
    ['eventsPerSec', 20],
    ['joinsPerMin', 30],
    ['socketsPerUser', 10],
    ['presenceSubscribe', 200],
    ['payloadDepth', 8],
    ['changePerSec', 5],
    ['changeBurst', 20],
    ['adminFailuresPerMin', 10],
  ])('%s defaults to %i (protocol §5, §7)', (key, value) => {
    expect(LIMITS[key]).toBe(value)
  })

  it('names the variables of protocol §7, each overriding an existing limit', () => {
    expect(Object.keys(LIMIT_VARIABLES).sort()).toEqual([
      'LIMIT_ADMIN_FAILURES_PER_MIN',
      'LIMIT_ATTACHMENTS',
      'LIMIT_CHANGE_BURST',
      'LIMIT_CHANGE_PER_SEC',
      'LIMIT_EVENTS_PER_SEC',
      'LIMIT_GROUP_MEMBERS',
      'LIMIT_IMAGE_PIXELS',
      'LIMIT_JOINS_PER_MIN',
      'LIMIT_MESSAGE_CHARS',
      'LIMIT_PACKET_BYTES',
      'LIMIT_PAGE',
      'LIMIT_SEND_BURST',
      'LIMIT_SEND_PER_SEC',
      'LIMIT_SOCKETS_PER_USER',
      'LIMIT_UPLOADS_PER_MIN',
      'LIMIT_UPLOAD_BYTES',
      'LIMIT_UPLOAD_QUOTA_BYTES',
    ])
    for (const key of Object.values(LIMIT_VARIABLES)) expect(LIMITS).toHaveProperty(key)
  })

  it('typing: refresh about every 3 s, expire after 6 s', () => {
    expect(TYPING_REFRESH_MS).toBe(3000)
    expect(TYPING_EXPIRY_MS).toBe(6000)
  })
})
