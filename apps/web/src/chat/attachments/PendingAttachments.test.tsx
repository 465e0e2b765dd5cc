// @vitest-environment happy-dom
import type { ChatStorage, LocalFile } from '@secura/chat-client'
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import { EMPTY_SNAPSHOT } from '../../store/chat.slice.ts'
import { useAppStore } from '../../store/index.ts'
import { PendingAttachments } from './PendingAttachments.tsx'

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let root: Root | undefined
let container: HTMLElement | undefined
afterEach(() => {
  act(() => root?.unmount())
  container?.remove()
  root = container = undefined
  useAppStore.setState({ chatStorage: null, chat: EMPTY_SNAPSHOT })
})

const localFile = (localId: string, name: string, type: string, uploaded = false): LocalFile => ({
  localId,
  name,
  type,
  size: 2048,
  blob: new Blob(['x'], { type }),
  uploaded,
})

function render(files: LocalFile[], failed = false, uploads: Record<string, number> = {}) {
  const removed: string[] = []
  const storage = {
    removeFile: async (clientMessageId: string, localId: string) => {
      removed.push(`${clientMessageId}/${localId}`)
    },
  } as unknown as ChatStorage
  useAppStore.setState({ chatStorage: storage, chat: { ...EMPTY_SNAPSHOT, uploads } })
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
  act(() =>
    root!.render(
      <PendingAttachments
        clientMessageId="m1"
        files={files}
        failed={failed}
        onActionFailed={() => undefined}
      />,
    ),
  )
  return removed
}
const progressLabels = () =>
  [...container!.querySelectorAll('[data-testid="upload-progress"]')].map((p) => p.getAttribute('aria-label'))

describe('PendingAttachments', () => {
  it('shows each file with how far its upload is, and a cancel for those not uploaded', () => {
    const removed = render(
      [
        localFile('a', 'photo.jpg', 'image/jpeg', true),
        localFile('b', 'slides.pdf', 'application/pdf'),
        localFile('c', 'notes.txt', 'text/plain'),
      ],
      false,
      { a: 1, b: 0.42 },
    )
    expect(progressLabels()).toEqual([
      'photo.jpg: Uploaded',
      'slides.pdf: Uploading, 42%',
      'notes.txt: Waiting to upload',
    ])
    expect(container!.querySelector('img')?.getAttribute('alt')).toBe('photo.jpg')
    const cancels = [...container!.querySelectorAll('[data-testid="cancel-upload"]')]
    expect(cancels.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Cancel slides.pdf',
      'Cancel notes.txt',
    ])
    act(() => (cancels[0] as HTMLButtonElement).click())
    expect(removed).toEqual(['m1/b'])
  })

  it('a failed message offers to remove a file instead', () => {
    render([localFile('b', 'virus.pdf', 'application/pdf')], true)
    expect(progressLabels()).toEqual(['virus.pdf: Not sent'])
    expect(container!.querySelector('[data-testid="cancel-upload"]')?.getAttribute('aria-label')).toBe(
      'Remove virus.pdf',
    )
  })
})
