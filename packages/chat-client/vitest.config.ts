import { defineProject } from 'vitest/config'

export default defineProject({ test: { name: 'chat-client', include: ['src/**/*.test.ts'] } })
