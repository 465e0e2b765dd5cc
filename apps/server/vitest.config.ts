import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Several server processes on Redis and Postgres: `pnpm test:cluster` (vitest.cluster.config.ts), and
    // behind Caddy: `pnpm test:balancer` (vitest.balancer.config.ts).
    exclude: ['test/cluster/**', 'test/balancer/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
