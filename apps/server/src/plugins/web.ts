import { existsSync } from 'node:fs'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** Serves the built web app; any non-API path that is not a file gets index.html (client-side routes). */
export default fp(
  async (app: FastifyInstance) => {
    const root = app.config.webDist
    if (!existsSync(root)) {
      app.log.warn({ root }, 'web app not built: run `pnpm build` to serve it')
      return
    }
    // wildcard: files are looked up per request, so a rebuilt web app is served without a restart.
    await app.register(fastifyStatic, { root, wildcard: true, index: 'index.html' })
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      if (request.method !== 'GET' || isServerPath(path) || path.includes('.')) return
      return reply.type('text/html').sendFile('index.html')
    })
  },
  { name: 'web', dependencies: ['config'] },
)

const isServerPath = (path: string) => /^\/(api|docs|socket\.io|healthz|readyz|metrics)(\/|$)/.test(path)
