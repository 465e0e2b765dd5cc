import { defineConfig } from 'vitest/config'

// vitest 5 reports failures with Map.groupBy, which Node 20 lacks: without it a failing run crashes
// in the summary and hides which test failed.
if (!('groupBy' in Map)) {
  Object.defineProperty(Map, 'groupBy', {
    value<K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, V[]> {
      const groups = new Map<K, V[]>()
      let index = 0
      for (const item of items) {
        const k = key(item, index++)
        const group = groups.get(k)
        if (group) group.push(item)
        else groups.set(k, [item])
      }
      return groups
    },
  })
}

// One runner for the whole workspace; each package describes its own project.
export default defineConfig({
  test: {
    projects: ['packages/shared', 'packages/chat-client', 'apps/server', 'apps/web'],
    // Test files start servers and databases: two at a time suits a 2-core machine. Each project sets it
    // too: a project's own config does not inherit this one, and vitest's default there is cores - 1.
    maxWorkers: 2,
    // CI sets TEST_REPORT to collect a JSON report beside the console output.
    reporters: process.env.TEST_REPORT ? ['default', 'json'] : ['default'],
    ...(process.env.TEST_REPORT && { outputFile: { json: process.env.TEST_REPORT } }),
  },
})
