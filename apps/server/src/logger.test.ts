import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { loggerOptions, prettyTransport, wantsPrettyLogs } from './logger.ts'

describe('log format', () => {
  it('is readable in a terminal, JSON in a pipe and in production', () => {
    expect(wantsPrettyLogs({ isTTY: true }, {})).toBe(true)
    expect(wantsPrettyLogs({ isTTY: false }, {})).toBe(false)
    expect(wantsPrettyLogs({}, {})).toBe(false)
    expect(wantsPrettyLogs({ isTTY: true }, { NODE_ENV: 'production' })).toBe(false)
  })

  it('never prettifies a stream the caller gave (tests read JSON from it)', () => {
    const options = loggerOptions('info', process.stderr) as Record<string, unknown>
    expect(options.transport).toBeUndefined()
    expect(options.stream).toBe(process.stderr)
  })

  describe('pino-pretty', () => {
    let dir: string | undefined
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('writes readable lines, with secrets still redacted', async () => {
      dir = await mkdtemp(join(tmpdir(), 'secura-log-'))
      const file = join(dir, 'out.log')
      const base = loggerOptions('info', undefined, true) as Record<string, unknown>
      expect(base.transport).toEqual(prettyTransport())
      const app = Fastify({
        logger: { ...base, transport: prettyTransport({ destination: file, colorize: false }) },
      })
      app.log.info({ token: 'secret-session-token', userId: 'u1' }, 'socket connected')
      // The transport runs in a worker thread: wait for the line to reach the file.
      let text = ''
      for (let i = 0; i < 100 && !text.includes('socket connected'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        text = await readFile(file, 'utf8').catch(() => '')
      }
      expect(text).toContain('INFO')
      expect(text).toContain('socket connected')
      expect(text).toContain('[redacted]')
      expect(text).not.toContain('secret-session-token')
      expect(() => JSON.parse(text.split('\n')[0] ?? '')).toThrow()
      await app.close()
    })
  })
})
