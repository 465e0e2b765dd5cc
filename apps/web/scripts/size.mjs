// Prints the gzipped size of the JavaScript a first visit downloads (the entry and its preloads),
// and of each chunk loaded later on demand. Run after `vite build`.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
const assets = join(dist, 'assets')
const html = readFileSync(join(dist, 'index.html'), 'utf8')
// index.html names what loads at once: the entry <script> and its <link rel="modulepreload">s.
const initial = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]))

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
const rows = readdirSync(assets)
  .filter((file) => file.endsWith('.js'))
  .map((file) => {
    const source = readFileSync(join(assets, file))
    return {
      file,
      raw: source.length,
      gzip: gzipSync(source, { level: 9 }).length,
      initial: initial.has(file),
    }
  })
  .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip)

for (const row of rows) {
  const when = row.initial ? 'initial' : 'lazy   '
  console.log(
    `  ${when}  ${row.file.padEnd(36)} ${kib(row.raw).padStart(10)}  gzip ${kib(row.gzip).padStart(9)}`,
  )
}
const initialGzip = rows.filter((r) => r.initial).reduce((sum, r) => sum + r.gzip, 0)
const totalGzip = rows.reduce((sum, r) => sum + r.gzip, 0)
console.log(`Initial JS: ${kib(initialGzip)} gzipped (all JS: ${kib(totalGzip)} gzipped)`)
