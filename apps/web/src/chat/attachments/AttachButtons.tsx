import './attachments.css'
import { useRef } from 'react'
import { Icon } from '../Icon.tsx'
import { ACCEPTED_TYPES } from './prepareUpload.ts'

/** Where a camera is at hand (a touch screen), a second button opens it directly. */
const hasCamera = () => typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches

/** Pick photos or files (several at once) and, on a phone, take a photo. */
export function AttachButtons({ onFiles }: { onFiles: (files: File[]) => void }) {
  const picker = useRef<HTMLInputElement>(null)
  const camera = useRef<HTMLInputElement>(null)
  const picked = (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])]
    // Emptied, so that picking the same file again fires a change too.
    input.value = ''
    if (files.length > 0) onFiles(files)
  }
  return (
    <>
      <input
        ref={picker}
        type="file"
        accept={ACCEPTED_TYPES}
        multiple
        hidden
        data-testid="attach-input"
        onChange={(e) => picked(e.currentTarget)}
      />
      <button
        type="button"
        className="icon-button composer-attach"
        data-testid="attach-button"
        aria-label="Attach photos or files"
        title="Attach photos or files"
        onClick={() => picker.current?.click()}
      >
        <Icon name="clip" />
      </button>
      {hasCamera() && (
        <>
          <input
            ref={camera}
            type="file"
            accept="image/*"
            capture="environment"
            hidden
            data-testid="camera-input"
            onChange={(e) => picked(e.currentTarget)}
          />
          <button
            type="button"
            className="icon-button composer-attach"
            aria-label="Take a photo"
            title="Take a photo"
            onClick={() => camera.current?.click()}
          >
            <Icon name="camera" />
          </button>
        </>
      )}
    </>
  )
}
