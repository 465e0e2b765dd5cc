// Node's types, for the HTTP server of this test (the package's own code needs only the DOM's).
/// <reference types="node" />
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, request } from './http.ts'

/** A real HTTP server on loopback: each test sets how it answers. */
let server: Server
let base = ''
let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_req, res) => res.end()

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => answer(req, res, body))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

const json = (res: ServerResponse, status: number, payload: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(payload))
}

describe('request', () => {
  it('sends the body as JSON with the bearer token, and resolves with the parsed answer', async () => {
    let seen: { method?: string; auth?: string; type?: string; body?: string } = {}
    answer = (req, res, body) => {
      seen = { method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], body }
      json(res, 200, { ok: 1 })
    }
    await expect(request('POST', `${base}/x`, { body: { a: 1 }, token: 't0k' })).resolves.toEqual({ ok: 1 })
    expect(seen).toEqual({ method: 'POST', auth: 'Bearer t0k', type: 'application/json', body: '{"a":1}' })
  })

  it('sends no content-type without a body, and resolves 204 with undefined', async () => {
    let type: string | undefined = 'unset'
    answer = (req, res) => {
      type = req.headers['content-type']
      res.writeHead(204).end()
    }
    await expect(request('DELETE', `${base}/x`)).resolves.toBeUndefined()
    expect(type).toBeUndefined()
  })

  it('throws an ApiError carrying the shared error shape', async () => {
    answer = (_req, res) =>
      json(res, 429, {
        error: {
          code: 'RATE_LIMITED',
          message: 'slow down',
          details: { reason: 'sends' },
          retryAfterMs: 1500,
        },
      })
    const error = await request('GET', `${base}/x`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      message: 'slow down',
      retryAfterMs: 1500,
    })
    expect((error as ApiError).reason).toBe('sends')
  })

  it('takes an answer not in our error shape (a proxy page) for NETWORK', async () => {
    answer = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<h1>Bad Gateway</h1>')
    }
    await expect(request('GET', `${base}/x`)).rejects.toMatchObject({ code: 'NETWORK', status: 502 })
  })

  it('throws NETWORK with status 0 when nothing answers', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(request('GET', `http://127.0.0.1:${port}/x`)).rejects.toMatchObject({
      code: 'NETWORK',
      status: 0,
    })
  })
})
