import * as hdr from 'hdr-histogram-js'

/** Latencies are recorded in microseconds, up to 2 minutes, 3 significant digits. */
export const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  })

export type Histogram = ReturnType<typeof newHistogram>

export const encode = (h: Histogram) => hdr.encodeIntoCompressedBase64(h)

/** Adds encoded histograms (one per worker) into one. */
export function merge(encoded: string[]): Histogram {
  const total = newHistogram()
  for (const e of encoded) total.add(hdr.decodeFromCompressedBase64(e))
  return total
}

export interface Percentiles {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Milliseconds, rounded to 0.01. */
export function percentiles(h: Histogram): Percentiles {
  const ms = (us: number) => Math.round(us / 10) / 100
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  }
}
