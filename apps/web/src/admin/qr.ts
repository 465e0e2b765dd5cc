import QRCode from 'qrcode'

const cache = new Map<string, Promise<string>>()

/** The QR code of a URL as an SVG data: URL (allowed by the CSP, sharp in print); computed once per URL. */
export function qrDataUrl(url: string): Promise<string> {
  let pending = cache.get(url)
  if (!pending) {
    pending = QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(
      (svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
    )
    cache.set(url, pending)
  }
  return pending
}
