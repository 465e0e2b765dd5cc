import { defineConfig } from 'vitest/config'
// Node 20 needs the workspace config's Map.groupBy shim for vitest's failure report.
import '../../vitest.config.ts'

/**
 * `pnpm test:balancer`: Caddy with deploy/Caddyfile in front of two server processes on Redis and Postgres
 * (test/balancer). Needs caddy and redis-server on the PATH and a Postgres server (DATABASE_URL, default the
 * local one with postgres/postgres). About a minute.
 */
export default defineConfig({
  test: {
    name: 'balancer',
    root: import.meta.dirname,
    include: ['test/balancer/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.TEST_REPORT ? ['default', 'json'] : ['default'],
    ...(process.env.TEST_REPORT && { outputFile: { json: process.env.TEST_REPORT } }),
  },
})
