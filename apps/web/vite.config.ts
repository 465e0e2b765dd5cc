import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { appShellServiceWorker } from './sw/plugin.ts'

const server = 'http://127.0.0.1:3000'
const sharedSource = /[\\/]packages[\\/]shared[\\/]src[\\/]/

export default defineConfig({
  plugins: [react(), appShellServiceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      treeshake: {
        // @secura/shared builds its TypeBox schemas at module load, which a bundler must assume has side
        // effects; without this, importing one constant (LIMITS) ships all of TypeBox to every phone.
        // A module still loads in full, side effects included, as soon as anything it exports is used.
        moduleSideEffects: (id) => !sharedSource.test(id),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: server },
      '/socket.io': { target: server, ws: true },
    },
  },
})
