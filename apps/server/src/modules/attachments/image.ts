// Photos are decoded in a process of their own (render-process.ts), one or a few at a time. The server never
// holds pixels: a burst of photos costs the server's memory nothing, and the decoder's process, whose
// allocator keeps what libvips frees, gives all of it back when it exits after the burst.
import { type ChildProcess, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { AppError, validation } from '../../errors.ts'
import type { RenderedImage } from './render.ts'
import type { RenderJob, RenderReply } from './render-process.ts'

export type { RenderedImage } from './render.ts'

export interface ImageRendererOptions {
  /** Renders at once (IMAGE_RENDERS); the rest wait their turn here. */
  concurrent: number
  /** The decoder's process exits after this long without work, and starts again with the next photo. */
  idleMs?: number
  /** A render taking longer is abandoned (its process ended): a pathological file, not a slow machine. */
  timeoutMs?: number
}

// From the sources (tsx, tests) the entry is TypeScript; in the compiled release it is dist/render-process.js,
// beside server.js, while this module may sit in dist/chunks/.
const here = import.meta.url
const ENTRY = here.endsWith('.ts')
  ? new URL('./render-process.ts', here)
  : new URL(`${here.includes('/chunks/') ? '../' : './'}render-process.js`, here)

/**
 * glibc gives every thread that allocates (libvips' workers, libuv's pool) an arena of its own and keeps
 * what they free: two arenas bound what the decoder keeps (docs/performance.md#uploads). Set for the
 * decoder's process here, so that it holds however the server was started; an operator's own value wins.
 */
const DECODER_ENV = { MALLOC_ARENA_MAX: '2' }

interface Job {
  request: Omit<RenderJob, 'id'>
  resolve: (image: RenderedImage) => void
  reject: (error: unknown) => void
  /** The process it was sent to: if that one stops, this job fails. */
  decoder?: ChildProcess
  timer?: NodeJS.Timeout
}

/**
 * Renders queue here: fifty guests sending photos together wait their turn instead of being decoded side by
 * side. A render whose request is gone (`signal`) leaves the queue without being decoded.
 */
export function createImageRenderer({
  concurrent,
  idleMs = 30_000,
  timeoutMs = 120_000,
}: ImageRendererOptions) {
  let free = concurrent
  const waiting: { start: () => void; signal: AbortSignal | undefined }[] = []
  let decoder: ChildProcess | undefined
  const running = new Map<number, Job>()
  let lastId = 0
  let idle: NodeJS.Timeout | undefined
  let closed = false

  const next = () => {
    for (let turn = waiting.shift(); turn; turn = waiting.shift()) {
      if (turn.signal?.aborted) continue
      return turn.start()
    }
    free++
  }
  const slot = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(uploadCancelled())
      if (free > 0) {
        free--
        return resolve()
      }
      const turn = {
        signal,
        start: () => {
          signal?.removeEventListener('abort', leave)
          resolve()
        },
      }
      const leave = () => {
        const at = waiting.indexOf(turn)
        if (at >= 0) waiting.splice(at, 1)
        reject(uploadCancelled())
      }
      signal?.addEventListener('abort', leave, { once: true })
      waiting.push(turn)
    })

  /** Processes ended on purpose (idle, timeout, shutdown): the jobs they still had are not blamed on an image. */
  const sentAway = new WeakSet<ChildProcess>()
  const unready = new WeakMap<ChildProcess, RenderJob[]>()

  function startDecoder(): ChildProcess {
    const child = fork(ENTRY, [], {
      // The sources need tsx's loader; the compiled release runs plain JavaScript.
      execArgv: ENTRY.pathname.endsWith('.ts') ? ['--import', tsxLoader()] : [],
      env: { ...DECODER_ENV, ...process.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    // Jobs wait until it says it listens: a message sent while its modules still load would be lost.
    unready.set(child, [])
    child.on('message', (reply: RenderReply | 'ready') => {
      if (reply === 'ready') {
        for (const job of unready.get(child) ?? []) child.send(job)
        unready.delete(child)
        return
      }
      const job = running.get(reply.id)
      if (!job) return
      finish(reply.id)
      if (reply.ok) job.resolve(reply.image)
      else if (reply.refused) job.reject(validation(reply.message, reply.details))
      else job.reject(decoderFailed(job.request.name, reply.message))
    })
    const lost = (crashed: boolean) => {
      if (decoder === child) decoder = undefined
      // Its jobs not answered: with one, that image took the running decoder down; with several, any of them.
      const jobs = [...running.entries()].filter(([, job]) => job.decoder === child)
      const blamed = crashed && jobs.length === 1 && !sentAway.has(child) && !unready.has(child)
      for (const [id, job] of jobs) {
        finish(id)
        job.reject(
          blamed
            ? validation(`"${job.request.name}" could not be decoded (the decoder stopped on it)`)
            : decoderFailed(job.request.name, closed ? 'the server is stopping' : 'the decoder stopped'),
        )
      }
    }
    child.on('exit', () => lost(true))
    // Not started, or its channel broken: no image's fault.
    child.on('error', () => lost(false))
    return child
  }

  function finish(id: number) {
    clearTimeout(running.get(id)?.timer)
    running.delete(id)
    if (running.size > 0 || closed) return
    // Idle: the decoder no longer keeps the server's process alive, and goes after a while.
    decoder?.channel?.unref()
    decoder?.unref()
    clearTimeout(idle)
    idle = setTimeout(() => endDecoder('disconnect'), idleMs).unref()
  }

  /** Sends the decoder away: disconnected it exits by itself (idle); killed at once (timeout, shutdown). */
  function endDecoder(how: 'disconnect' | 'SIGKILL' | 'SIGTERM') {
    const child = decoder
    decoder = undefined
    if (!child) return
    sentAway.add(child)
    if (how !== 'disconnect') child.kill(how)
    else if (child.connected) child.disconnect()
  }

  function dispatch(job: Job) {
    clearTimeout(idle)
    if (!decoder?.connected) decoder = startDecoder()
    const child = decoder
    child.ref()
    child.channel?.ref()
    const id = ++lastId
    job.decoder = child
    running.set(id, job)
    job.timer = setTimeout(() => {
      if (!running.has(id)) return
      finish(id)
      job.reject(validation(`"${job.request.name}" took too long to decode`))
      // Ending its process is the only way to stop a decode; the others it had are refused as retryable.
      sentAway.add(child)
      if (decoder === child) decoder = undefined
      child.kill('SIGKILL')
    }, timeoutMs)
    const message: RenderJob = { id, ...job.request }
    const backlog = unready.get(child)
    if (backlog) backlog.push(message)
    else child.send(message)
  }

  return {
    /** Writes the display size and the thumbnail (WebP) of the image at `path`; refuses bombs before decoding. */
    async render(
      path: string,
      out: { display: string; thumb: string },
      options: { name: string; maxPixels: number; signal?: AbortSignal | undefined },
    ): Promise<RenderedImage> {
      await slot(options.signal)
      try {
        if (closed) throw decoderFailed(options.name, 'the server is stopping')
        return await new Promise<RenderedImage>((resolve, reject) =>
          dispatch({
            request: { path, out, name: options.name, maxPixels: options.maxPixels },
            resolve,
            reject,
          }),
        )
      } finally {
        next()
      }
    },
    /** Renders waiting for their turn (metrics, tests). */
    get queued() {
      return waiting.length
    },
    /** The decoder's process id while it runs (tests). */
    get decoderPid() {
      return decoder?.pid
    },
    /** Ends the decoder's process (server shutdown): renders still running are refused as retryable. */
    close() {
      closed = true
      clearTimeout(idle)
      endDecoder('SIGTERM')
    },
  }
}
export type ImageRenderer = ReturnType<typeof createImageRenderer>

/** The client went away before its answer (mid-body, or while its photo waited): nobody will read it. */
export const uploadCancelled = () =>
  new AppError('UNAVAILABLE', 'The upload was cancelled: the client went away before its answer')

const tsxLoader = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

const decoderFailed = (name: string, why: string) =>
  new AppError('UNAVAILABLE', `"${name}" could not be processed now (${why}); send it again`)
