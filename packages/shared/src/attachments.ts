import { type Static, Type } from 'typebox'
import { LIMITS } from './limits.ts'
import { ClientMessageId, Id, Nullable } from './primitives.ts'

/** The types a file may have, sniffed from its bytes: images are re-encoded, the rest served as downloads. */
export const IMAGE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/heic',
] as const
export const FILE_TYPES = ['application/pdf', 'text/plain'] as const

/** What the server keeps of an image: a display size and a thumbnail, both WebP; of a file: the file. */
export const AttachmentVariant = Type.Union([
  Type.Literal('display'),
  Type.Literal('thumb'),
  Type.Literal('file'),
])
export type AttachmentVariant = Static<typeof AttachmentVariant>

/** An uploaded file, as a message carries it. Fetched at `GET /api/attachments/:id/:variant`. */
export const Attachment = Type.Object(
  {
    id: Id,
    kind: Type.Union([Type.Literal('image'), Type.Literal('file')]),
    /** The type served: image/webp for an image's variants, the sniffed type of a file. */
    mime: Type.String(),
    /** The name the file had on the sender's device, for downloads. */
    name: Type.String(),
    /** Bytes stored: the display size of an image, the whole file otherwise. */
    size: Type.Integer({ minimum: 0 }),
    width: Nullable(Type.Integer({ minimum: 1 })),
    height: Nullable(Type.Integer({ minimum: 1 })),
    /** A blurhash of the image, shown while it loads. */
    blurhash: Nullable(Type.String()),
  },
  { $id: 'Attachment' },
)
export type Attachment = Static<typeof Attachment>

/**
 * Attachments a send carries: ids of the sender's own uploads to that conversation, not yet sent. How many a
 * message may carry (LIMITS.attachmentsPerMessage) the server checks, so that the refusal names the limit.
 */
export const AttachmentIds = Type.Array(Id, {
  minItems: 1,
  description: `1–${LIMITS.attachmentsPerMessage} ids of uploads`,
})
/** In a send without attachments: absent, so a send with them never passes for one without. */
export const NoAttachments = { attachmentIds: Type.Optional(Type.Never()) }

export const UploadParams = Type.Object({ id: Id })
export type UploadParams = Static<typeof UploadParams>
/**
 * The client's own key for one file (`Idempotency-Key`), written like a clientMessageId: an upload repeated
 * with it, by the same uploader, is answered with the attachment the first made, and stored once.
 */
export const UploadKey = ClientMessageId
export const AttachmentParams = Type.Object({ id: Id, variant: AttachmentVariant })
export type AttachmentParams = Static<typeof AttachmentParams>

/** What an event's attachments take in storage (admin console): all variants, sent or waiting to be sent. */
export const EventStorage = Type.Object(
  {
    eventId: Id,
    /** Bytes stored: every variant of every attachment (what the per-user quota counts, summed). */
    bytes: Type.Integer({ minimum: 0 }),
    /** Attachments stored (a photo's display size and thumbnail count as one). */
    files: Type.Integer({ minimum: 0 }),
    /** Of those, uploads no message carries yet (removed by the sweep after UPLOAD_GRACE_MS). */
    unsent: Type.Integer({ minimum: 0 }),
  },
  { $id: 'EventStorage' },
)
export type EventStorage = Static<typeof EventStorage>
