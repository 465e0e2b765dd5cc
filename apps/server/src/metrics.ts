import type { Registry } from 'prom-client'

export type Transport = 'socket' | 'http'

/** What the adapters report; the plugin turns it into Prometheus series at /metrics. */
export interface Metrics {
  messageAccepted(transport: Transport): void
  commandDone(transport: Transport, command: string, seconds: number, errorCode?: string): void
  databaseError(): void
  redisError(): void
  sendRefused(reason: string): void
  /** Removed by the attachment sweep: unsent uploads, stored objects no row names, crashed uploads' temp files. */
  attachmentsSwept(what: 'unsent' | 'orphan_object' | 'empty_folder' | 'temp_file', count: number): void
  /** A Web Push delivery: delivered, gone (404/410, subscription deleted), failed, or dropped (queue full). */
  pushResult(result: 'delivered' | 'gone' | 'failed' | 'dropped'): void
  registry: Registry
}
