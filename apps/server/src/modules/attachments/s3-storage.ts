import { createReadStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { S3Config } from '../../config.ts'
import type { FileStorage } from './storage.ts'

/** The bucket of the S3_* settings, through a client of its own; `close` ends the client's connections. */
export function s3Bucket(config: S3Config): { storage: FileStorage; close(): void } {
  const client = new S3Client({
    region: config.region,
    // Plain bodies with a length: the SDK's default aws-chunked trailing checksums are not understood
    // by every S3-compatible server (they would be stored as part of the file).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.endpoint && { endpoint: config.endpoint, forcePathStyle: true }),
    ...(config.accessKeyId &&
      config.secretAccessKey && {
        credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      }),
  })
  return {
    storage: s3Storage({ client, bucket: config.bucket, prefix: config.prefix }),
    close: () => client.destroy(),
  }
}

/**
 * Objects in an S3-compatible bucket (AWS, MinIO, …), so that every instance of a cluster serves every file.
 * Keys as on disk, under `prefix`. Uploads stream from the temp file; reads stream from the bucket.
 */
export function s3Storage({
  client,
  bucket,
  prefix = '',
}: {
  client: S3Client
  bucket: string
  prefix?: string
}): FileStorage {
  const Key = (key: string) => `${prefix}${key}`
  return {
    async put(key, path, contentType) {
      const { size } = await stat(path)
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: Key(key),
          Body: createReadStream(path),
          ContentLength: size,
          ContentType: contentType,
        }),
      )
      await rm(path, { force: true })
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: Key(key) }))
        return head.ContentLength
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
        if (status === 404) return undefined
        throw error
      }
    },
    async read(key, range) {
      const object = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: Key(key),
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
      )
      // A plain stream of the bytes: handed to the reply as the SDK's response object, it kept the client's
      // keep-alive connection busy after the body was sent.
      return Readable.from(object.Body as Readable)
    },
    async remove(keys) {
      await Promise.all(
        keys.map((key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: Key(key) }))),
      )
    },
    async *list() {
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
        )
        for (const object of page.Contents ?? []) {
          if (!object.Key?.startsWith(prefix) || !object.LastModified) continue
          yield { key: object.Key.slice(prefix.length), modifiedAt: object.LastModified }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
    },
  }
}
