import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Plugin } from 'vite'

/**
 * Emits `sw.js`, the app shell's service worker (sw/service-worker.js), with the list of built files to
 * cache and a version that changes whenever they do, so a new build replaces the old shell.
 */
export function appShellServiceWorker(): Plugin {
  return {
    name: 'secura-app-shell-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((file) => !file.endsWith('.map') && file !== 'index.html')
      const files = [
        '/index.html',
        '/favicon.svg',
        '/favicon-unread.svg',
        ...built.sort().map((file) => `/${file}`),
      ]
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16)
      const template = readFileSync(new URL('./service-worker.js', import.meta.url), 'utf8')
      const source = template
        .replace("'__VERSION__'", JSON.stringify(version))
        .replace('__SHELL_FILES__', JSON.stringify(files))
      this.emitFile({ type: 'asset', fileName: 'sw.js', source })
    },
  }
}
