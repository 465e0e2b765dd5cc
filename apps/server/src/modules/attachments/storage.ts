import { createReadStream } from 'node:fs'
import { copyFile, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'

/** A byte range, both ends included (as HTTP's Range header counts). */
export interface ByteRange {
  start: number
  end: number
}

/**
 * Where attachment files live: one port, a driver per backend (local disk here; any driver keeps the same
 * keys, so the metadata in the database is the same whichever stores the bytes).
 */
export interface FileStorage {
  /** Moves a finished file from local `path` in under `key` (the temp file is gone afterwards). */
  put(key: string, path: string, contentType: string): Promise<void>
  /** The size of the object under `key` in bytes; undefined when there is none. */
  size(key: string): Promise<number | undefined>
  /** The bytes under `key` (only `range` of them when given); the object must exist. */
  read(key: string, range?: ByteRange): Promise<Readable>
  /** Removes the objects; keys that do not exist are fine. */
  remove(keys: string[]): Promise<void>
  /** Every stored object, with when it was written: the sweep finds files no row names any more. */
  list(): AsyncIterable<StoredObject>
  /**
   * Removes empty folders last changed before `before`, as a crash between making an object's folder and
   * writing into it leaves them; returns how many. Only stores with folders have it (an object store has none).
   */
  prune?(before: Date): Promise<number>
}

export interface StoredObject {
  key: string
  modifiedAt: Date
}

/** Files under `root`, one per key. Keys are ids joined by `/`: never a path of the client's. */
export function diskStorage(root: string): FileStorage {
  const base = resolve(root)
  const pathOf = (key: string) => {
    const path = resolve(base, key)
    // Keys are made by the server; this only guards against a bug making one that leaves the root.
    if (!path.startsWith(base + sep)) throw new Error(`storage key outside the root: ${key}`)
    return path
  }
  return {
    async put(key, path) {
      const target = pathOf(key)
      await mkdir(dirname(target), { recursive: true })
      try {
        await rename(path, target)
      } catch (error) {
        // Temp files on another file system: copy, then remove.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
        await copyFile(path, target)
        await rm(path, { force: true })
      }
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size
      } catch {
        return undefined
      }
    },
    async read(key, range) {
      return createReadStream(pathOf(key), range)
    },
    async remove(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })))
      // The attachment's folder, when it is empty now.
      const folders = new Set(keys.map((key) => dirname(pathOf(key))))
      await Promise.all([...folders].map((f) => rmdir(f).catch(() => {})))
    },
    async *list() {
      for await (const path of walk(base)) {
        const modified = await stat(path).then(
          (s) => s.mtime,
          () => undefined, // removed meanwhile
        )
        if (modified) yield { key: relative(base, path).split(sep).join('/'), modifiedAt: modified }
      }
    },
    prune: (before) => pruneUnder(base, before),
  }
}

/**
 * Removes the empty folders under `root` (not `root` itself) last changed before `before`; returns how many.
 * Race-free beside a put: a folder being written into was just made or changed (too young), and rmdir
 * refuses a full one. A folder this run empties has just changed too: a later run takes it.
 */
async function pruneUnder(root: string, before: Date): Promise<number> {
  async function prune(dir: string): Promise<number> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined)
    if (!entries) return 0 // gone meanwhile
    let removed = 0
    for (const entry of entries) if (entry.isDirectory()) removed += await prune(join(dir, entry.name))
    if (dir === root || entries.length > 0) return removed
    // Empty (so nothing was removed inside it): itself, once old enough.
    const info = await stat(dir).catch(() => undefined)
    if (!info || info.mtime >= before) return 0
    return rmdir(dir).then(
      () => 1,
      () => 0,
    )
  }
  return prune(root)
}

/** The files under `dir`, depth first; a folder that is gone (or not made yet) has none. */
async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(path)
    else if (entry.isFile()) yield path
  }
}

export const storageRoot = (dataDir: string) => join(dataDir, 'files')
