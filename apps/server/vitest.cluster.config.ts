import { defineConfig } from 'vitest/config'
// Node 20 needs the workspace config's Map.groupBy shim for vitest's failure report.
import '../../vitest.config.ts'

/**
 * `pnpm test:cluster`: two server processes on Redis and Postgres per file (test/cluster). Needs
 * redis-server on the PATH and a Postgres server (DATABASE_URL, default the local one with
 * postgres/postgres); each file starts its own Redis on a free port and creates its own database.
 */
export default defineConfig({
  test: {
    name: 'cluster',
    root: import.meta.dirname,
    include: ['test/cluster/**/*.test.ts'],
    // One file at a time: each runs two servers and kills or restarts them; a 2-core machine is full.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.TEST_REPORT ? ['default', 'json'] : ['default'],
    ...(process.env.TEST_REPORT && { outputFile: { json: process.env.TEST_REPORT } }),
  },
})
