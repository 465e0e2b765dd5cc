import { REST_ROUTES } from '@secura/shared'
import { describe, expect, it } from 'vitest'
import { useServer } from './helpers.ts'

const server = useServer()

describe('REST routes', () => {
  it('are exactly the shared list that docs/protocol.md describes', async () => {
    // The OpenAPI document lists every route the server registered under /api (service routes are hidden).
    const res = await server.api('GET', '/docs/json')
    expect(res.status).toBe(200)
    const served: string[] = []
    for (const [path, operations] of Object.entries(res.body.paths as Record<string, object>)) {
      for (const method of Object.keys(operations)) {
        if (method === 'head') continue
        served.push(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)
      }
    }
    expect(served.sort()).toEqual([...REST_ROUTES].sort())
  })
})
