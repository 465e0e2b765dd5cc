import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The first of `candidates` found in this file's folder or one above it. The same code runs from the
 * checkout (apps/server/src) and from a release tree (app/src), where the folders sit differently.
 */
export function findUp(...candidates: string[]): string | undefined {
  let dir = import.meta.dirname
  for (;;) {
    for (const candidate of candidates) {
      const path = join(dir, candidate)
      if (existsSync(path)) return path
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
