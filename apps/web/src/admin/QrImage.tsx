import { useEffect, useState } from 'react'
import { qrDataUrl } from './qr.ts'

interface QrImageProps {
  url: string
  /** What the code is for, read out instead of the image. */
  label: string
  className?: string
}

export function QrImage({ url, label, className = 'qr' }: QrImageProps) {
  const [src, setSrc] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    let current = true
    setSrc(null)
    qrDataUrl(url).then(
      (dataUrl) => current && setSrc(dataUrl),
      () => current && setFailed(true),
    )
    return () => {
      current = false
    }
  }, [url])

  if (failed) return <p className="field-error">The QR code could not be drawn; use the link instead.</p>
  if (!src)
    return <span className={`${className} qr-placeholder`} role="img" aria-label={`${label} (loading)`} />
  return <img className={className} src={src} alt={label} width={192} height={192} />
}
