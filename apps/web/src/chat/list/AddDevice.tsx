import type { DeviceLinkResponse } from '@secura/shared'
import { lazy, Suspense, useState } from 'react'
import { describeError, request } from '../../api/http.ts'

// The QR encoder loads only when a code is shown: it stays out of the chat's first download.
const QrImage = lazy(() => import('../../admin/QrImage.tsx').then((m) => ({ default: m.QrImage })))

const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })

/** Sign in on another device (the laptop, from the phone): a one-time QR and link, valid a few minutes. */
export function AddDevice() {
  const [link, setLink] = useState<DeviceLinkResponse | null>(null)
  const [error, setError] = useState<string | null>(null)
  const open = async () => {
    setError(null)
    try {
      setLink(await request<DeviceLinkResponse>('POST', '/api/auth/device', { token: null }))
    } catch (failure) {
      setError(describeError(failure))
    }
  }
  return (
    <>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => void (link ? setLink(null) : open())}
      >
        {link ? 'Hide device link' : 'Add a device'}
      </button>
      {link && (
        <div className="sign-out-confirm" data-testid="device-link">
          <Suspense fallback={<p className="muted">Drawing the QR code…</p>}>
            <QrImage url={link.url} label="QR code to sign in on another device" />
          </Suspense>
          <p>
            Scan it with your other device, or open <code className="url">{link.url}</code>. It works once,
            until {time.format(new Date(link.expiresAt))}; keep it to yourself.
          </p>
        </div>
      )}
      {error && <p className="field-error">{error}</p>}
    </>
  )
}
