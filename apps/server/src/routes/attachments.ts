import multipart from '@fastify/multipart'
import { Attachment, AttachmentParams, compile, LIMITS, UploadKey, UploadParams } from '@secura/shared'
import type { FastifyRequest } from 'fastify'
import { unauthorized, validation } from '../errors.ts'
import type { ByteRange } from '../modules/attachments/storage.ts'
import { currentUser } from '../plugins/auth.ts'
import { errors, type RoutesApp } from './schemas.ts'

const tags = ['attachments']
const me = (request: FastifyRequest) => currentUser(request).user
// Request headers are read as they come (a header schema would drop the others); the key is checked here.
const uploadKey = compile(UploadKey)

// Only the app's own origin may load a file, nothing in it may run, and no page may frame it.
const FILE_CSP =
  "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"

/** Uploads (one file a request, multipart) and serving them to the members of their conversation. */
export default async function attachmentRoutes(app: RoutesApp) {
  const { attachments } = app.services
  const { limits } = app.config
  await app.register(multipart, {
    // A file over the limit is cut there and flagged (truncated), then refused with nothing kept.
    limits: { fileSize: limits.uploadBytes, files: 1, fields: 0, parts: 2, headerPairs: 50 },
    throwFileSizeLimit: false,
  })

  app.post(
    '/chat/conversations/:id/attachments',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        consumes: ['multipart/form-data'],
        params: UploadParams,
        response: { 200: Attachment, 201: Attachment, ...errors },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw validation('Send the file as multipart/form-data, in a field "file"')
      const file = await request.file()
      if (!file) throw validation('No file in the upload')
      const key = request.headers['idempotency-key']
      if (key !== undefined && (typeof key !== 'string' || !uploadKey.check(key))) {
        file.file.resume() // read to its end, so the refusal reaches the client
        throw validation(
          `Idempotency-Key must be 1–${LIMITS.clientMessageIdChars} letters, digits or . _ : -`,
          { header: 'Idempotency-Key' },
        )
      }
      // The client hung up before its answer: a photo still waiting for the decoder is not decoded.
      const gone = new AbortController()
      const hungUp = () => {
        if (!reply.raw.writableFinished) gone.abort()
      }
      reply.raw.once('close', hungUp)
      try {
        const { attachment, created } = await attachments.upload(me(request), request.params.id, {
          stream: file.file,
          name: file.filename || 'file',
          truncated: () => file.file.truncated,
          key,
          signal: gone.signal,
        })
        // A repeat of an upload already made (its key seen before): the same attachment, nothing stored again.
        return reply.status(created ? 201 : 200).send(attachment)
      } finally {
        reply.raw.off('close', hungUp)
      }
    },
  )

  app.get(
    '/attachments/:id/:variant',
    // Members of the conversation, and staff of the event (the report queue shows attachments); the operator too.
    { preHandler: app.requireActor, schema: { tags, params: AttachmentParams, response: { ...errors } } },
    async (request, reply) => {
      const header = request.headers.range
      let unsatisfiable = false
      const actor = request.actor
      if (!actor) throw unauthorized()
      const served = await attachments.open(
        actor.kind === 'user' ? actor.user : 'admin',
        request.params.id,
        request.params.variant,
        (size) => {
          const range = parseRange(header, size)
          if (range === 'unsatisfiable') unsatisfiable = true
          return range === 'unsatisfiable' ? undefined : range
        },
      )
      reply
        .header('content-type', served.mime)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', FILE_CSP)
        .header('cross-origin-resource-policy', 'same-origin')
        // One guest's file must never come out of a shared cache for another: private, varied by credentials.
        .header('cache-control', 'private, max-age=300')
        .header('vary', 'Cookie, Authorization')
        .header('accept-ranges', 'bytes')
        .header(
          'content-disposition',
          `${served.kind === 'image' ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(served.name)}`,
        )
      if (unsatisfiable) {
        served.body.destroy()
        return reply
          .status(416)
          .header('content-range', `bytes */${served.size}`)
          .header('content-type', 'application/json; charset=utf-8')
          .send({ error: { code: 'VALIDATION', message: `Range not satisfiable (size ${served.size})` } })
      }
      if (served.range) {
        const { start, end } = served.range
        return reply
          .status(206)
          .header('content-range', `bytes ${start}-${end}/${served.size}`)
          .header('content-length', end - start + 1)
          .send(served.body)
      }
      return reply.header('content-length', served.size).send(served.body)
    },
  )
}

/** One `bytes=` range (several are answered whole); 'unsatisfiable' when it lies outside the file. */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/)
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  const [, from, to] = match as unknown as [string, string, string]
  if (from === '') {
    const suffix = Number(to)
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(from)
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}
