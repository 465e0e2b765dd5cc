import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

const base = { ADMIN_TOKEN: 'a-long-enough-admin-token', DATA_DIR: 'memory://' }

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base)
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      logLevel: 'info',
    })
    expect(config.limits).toMatchObject({
      messageChars: 4000,
      packetBytes: 65536,
      sendPerSec: 5,
      sendBurst: 20,
    })
    expect(config.allowedOrigins).toEqual(['http://localhost:3000'])
    expect(config.databaseUrl).toBeUndefined()
  })

  it('reads limits and origins from the environment', () => {
    const config = loadConfig({
      ...base,
      LIMIT_SEND_PER_SEC: '9',
      LIMIT_MESSAGE_CHARS: '500',
      ALLOWED_ORIGINS: 'https://chat.example.org, https://admin.example.org',
      PUBLIC_URL: 'https://chat.example.org/',
    })
    expect(config.limits.sendPerSec).toBe(9)
    expect(config.limits.messageChars).toBe(500)
    expect(config.publicUrl).toBe('https://chat.example.org')
    expect(config.allowedOrigins).toEqual(['https://chat.example.org', 'https://admin.example.org'])
    expect(config.secureCookies).toBe(true)
  })

  it('names every bad variable with what is wrong', () => {
    const bad = {
      ...base,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'not a url',
      LOG_LEVEL: 'loud',
      LIMIT_PAGE: '1000',
      LIMIT_SEND_BURST: '-1',
      ALLOWED_ORIGINS: 'https://ok.example,https://x.example/path',
      ADMIN_TOKEN: 'short',
    }
    let problems: string[] = []
    try {
      loadConfig(bad)
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      problems = (error as ConfigError).problems
    }
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_LEVEL',
      'LIMIT_PAGE',
      'LIMIT_SEND_BURST',
      'ALLOWED_ORIGINS',
      'ADMIN_TOKEN',
    ]) {
      expect(
        problems.some((p) => p.startsWith(name)),
        name,
      ).toBe(true)
    }
    expect(problems).toHaveLength(8)
  })

  it('cluster mode: a key prefix and heartbeat settings, with an entry outliving a missed beat', () => {
    expect(loadConfig(base)).toMatchObject({
      redisKeyPrefix: 'secura:',
      heartbeatMs: 5000,
      instanceTtlMs: 15_000,
    })
    const bad = {
      ...base,
      REDIS_KEY_PREFIX: 'has space',
      REDIS_HEARTBEAT_MS: '5000',
      REDIS_INSTANCE_TTL_MS: '6000',
    }
    expect(() => loadConfig(bad)).toThrow(/REDIS_KEY_PREFIX[\s\S]*REDIS_INSTANCE_TTL_MS/)
  })

  it('Redis through Sentinel: host:port list and master name, instead of REDIS_URL', () => {
    expect(loadConfig(base)).toMatchObject({ redisSentinels: undefined, redisSentinelName: undefined })
    expect(
      loadConfig({
        ...base,
        REDIS_SENTINELS: '10.0.0.5:26379, sentinel-b:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'secura',
      }),
    ).toMatchObject({
      redisUrl: undefined,
      redisSentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: 'sentinel-b', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      redisSentinelName: 'secura',
    })
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig({ ...base, ...env })
        return []
      } catch (error) {
        return (error as ConfigError).problems
      }
    }
    expect(problems({ REDIS_SENTINELS: '10.0.0.5', REDIS_SENTINEL_NAME: 'secura' })).toEqual([
      'REDIS_SENTINELS: "10.0.0.5" is not host:port (port 1 to 65535)',
    ])
    expect(problems({ REDIS_SENTINELS: 'a:0,b:70000', REDIS_SENTINEL_NAME: 'secura' })).toHaveLength(2)
    expect(problems({ REDIS_SENTINELS: 'a:26379' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_NAME must name the master/),
    ])
    expect(problems({ REDIS_SENTINEL_NAME: 'secura' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_NAME needs REDIS_SENTINELS/),
    ])
    expect(
      problems({
        REDIS_SENTINELS: 'a:26379',
        REDIS_SENTINEL_NAME: 'secura',
        REDIS_URL: 'redis://127.0.0.1:6379',
      }),
    ).toEqual([expect.stringMatching(/^REDIS_SENTINELS and REDIS_URL are alternatives/)])
    expect(problems({ REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_NAME: 'has space' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_NAME must be at most 64/),
    ])
  })

  it('admission control: sends in flight and queue age, defaults and bounds', () => {
    expect(loadConfig(base)).toMatchObject({
      sendsInFlight: 1000,
      sendQueueMs: 50,
      sendWriters: 8,
      sendSingles: 2,
      sendGroupCommit: false,
    })
    expect(
      loadConfig({ ...base, SEND_WRITERS: '2', SEND_SINGLES: '1', SEND_GROUP_COMMIT: 'on' }),
    ).toMatchObject({
      sendWriters: 2,
      sendSingles: 1,
      sendGroupCommit: true,
    })
    expect(() =>
      loadConfig({ ...base, SEND_WRITERS: '0', SEND_SINGLES: 'x', SEND_GROUP_COMMIT: 'yes' }),
    ).toThrow(/SEND_WRITERS[\s\S]*SEND_SINGLES[\s\S]*SEND_GROUP_COMMIT must be on or off/)
    expect(loadConfig(base)).toMatchObject({ sendsInFlight: 1000, sendQueueMs: 50, sendQueueTargetMs: 20 })
    expect(
      loadConfig({
        ...base,
        LIMIT_SENDS_IN_FLIGHT: '3',
        LIMIT_SEND_QUEUE_MS: '250',
        LIMIT_SEND_QUEUE_TARGET_MS: '5',
      }),
    ).toMatchObject({ sendsInFlight: 3, sendQueueMs: 250, sendQueueTargetMs: 5 })
    expect(() => loadConfig({ ...base, LIMIT_SENDS_IN_FLIGHT: '0', LIMIT_SEND_QUEUE_MS: 'soon' })).toThrow(
      /LIMIT_SENDS_IN_FLIGHT[\s\S]*LIMIT_SEND_QUEUE_MS/,
    )
  })
  it('the attachment sweep: a day of grace, hourly, both bounded', () => {
    expect(loadConfig(base)).toMatchObject({ uploadGraceMs: 86_400_000, uploadSweepMs: 3_600_000 })
    expect(loadConfig({ ...base, UPLOAD_GRACE_MS: '1000', UPLOAD_SWEEP_MS: '5000' })).toMatchObject({
      uploadGraceMs: 1000,
      uploadSweepMs: 5000,
    })
    expect(() => loadConfig({ ...base, UPLOAD_GRACE_MS: '10', UPLOAD_SWEEP_MS: 'hourly' })).toThrow(
      /UPLOAD_GRACE_MS[\s\S]*UPLOAD_SWEEP_MS/,
    )
  })
})
