import { defineProject } from 'vitest/config'

// maxWorkers: see the server's vitest.config.ts (the workspace's value does not reach a project).
export default defineProject({ test: { name: 'chat-client', include: ['src/**/*.test.ts'], maxWorkers: 2 } })
