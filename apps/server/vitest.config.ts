import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Several server processes on Redis and Postgres: `pnpm test:cluster` (vitest.cluster.config.ts), and
    // behind Caddy: `pnpm test:balancer` (vitest.balancer.config.ts).
    exclude: ['test/cluster/**', 'test/balancer/**', '**/node_modules/**'],
    // Each worker process runs file after file with the server's modules imported once, not once per file:
    // importing the app, compiling PGlite's WebAssembly and its first initdb (kept as the template of every
    // later in-memory database, src/db/prisma.ts) cost seconds, repeated for each of some sixty files when
    // isolated. The files share no module state: each starts its own servers and databases and closes them.
    isolate: false,
    // The workspace config's maxWorkers does not reach a project: without its own, vitest gives a project one
    // worker on a 2-core machine (cores - 1), and the files ran one after another.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
