import type { Registry } from 'prom-client'

export type Transport = 'socket' | 'http'

/** What the adapters report; the plugin turns it into Prometheus series at /metrics. */
export interface Metrics {
  messageAccepted(transport: Transport): void
  commandDone(transport: Transport, command: string, seconds: number, errorCode?: string): void
  databaseError(): void
  redisError(): void
  sendRefused(reason: string): void
  registry: Registry
}
