// The image decoder's own process, started by the server (image.ts) with the allocator settings it needs:
// what libvips allocates and keeps is this process's memory, returned to the system when it exits idle, and
// a decoder that crashes on a crafted file takes only this process down.
import { ImageRefusal, render } from './render.ts'

/** One render asked by the server. */
export interface RenderJob {
  id: number
  path: string
  out: { display: string; thumb: string }
  name: string
  maxPixels: number
}

/** Its answer: the image, or why not (`refused`: the image's fault, said to its sender). */
export type RenderReply =
  | { id: number; ok: true; image: Awaited<ReturnType<typeof render>> }
  | { id: number; ok: false; refused: boolean; message: string; details?: Record<string, number> }

process.on('message', (job: RenderJob) => {
  render(job.path, job.out, job).then(
    (image) => reply({ id: job.id, ok: true, image }),
    (error: unknown) =>
      reply(
        error instanceof ImageRefusal
          ? {
              id: job.id,
              ok: false,
              refused: true,
              message: error.message,
              ...(error.details && { details: error.details }),
            }
          : { id: job.id, ok: false, refused: false, message: String(error) },
      ),
  )
})
// The server may be gone by the time an answer is ready (SIGKILLed, or it sent this process away): the answer
// is then dropped, never an unhandled error.
const reply = (message: RenderReply | 'ready') => {
  if (process.connected) process.send?.(message, () => {})
}
// The server is gone (or sent it away when idle): nothing more will come.
process.on('disconnect', () => process.exit(0))
reply('ready')
