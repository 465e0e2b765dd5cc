// @vitest-environment happy-dom
import type { Attachment } from '@secura/shared'
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import { MessageAttachments } from './MessageAttachments.tsx'

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let root: Root | undefined
let container: HTMLElement | undefined
afterEach(() => {
  act(() => root?.unmount())
  container?.remove()
  root = container = undefined
})

const photo = (n: number): Attachment => ({
  id: `0190a3c0-0000-7000-8000-00000000000${n}`,
  kind: 'image',
  mime: 'image/webp',
  name: `p${n}.webp`,
  size: 1000,
  width: 300,
  height: 200,
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
})
const pdf: Attachment = {
  id: '0190a3c0-0000-7000-8000-0000000000ff',
  kind: 'file',
  mime: 'application/pdf',
  name: 'slides.pdf',
  size: 2_500_000,
  width: null,
  height: null,
  blurhash: null,
}

function render(attachments: Attachment[]) {
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
  act(() => root!.render(<MessageAttachments attachments={attachments} />))
  return container
}
const q = (selector: string) => container!.querySelector(selector)
const viewerPhoto = () => q('[data-testid="image-viewer-photo"]')?.getAttribute('src')
const pointer = (type: string, clientX: number) =>
  act(() => {
    q('[data-testid="image-viewer"]')!.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX }))
  })

describe('MessageAttachments', () => {
  it('shows photos as thumbnails in their shape and files as download cards', () => {
    render([photo(1), pdf, photo(2)])
    const thumbs = [...container!.querySelectorAll('[data-testid="attachment-thumb"]')]
    expect(thumbs.map((t) => t.getAttribute('src'))).toEqual([
      `/api/attachments/${photo(1).id}/thumb`,
      `/api/attachments/${photo(2).id}/thumb`,
    ])
    expect((thumbs[0]!.parentElement as HTMLElement).style.aspectRatio).toBe('300 / 200')
    const card = q('[data-testid="attachment-file"]')!
    expect(card.getAttribute('href')).toBe(`/api/attachments/${pdf.id}/file`)
    expect(card.getAttribute('download')).toBe('slides.pdf')
    expect(card.textContent).toContain('PDF · 2.4 MB')
  })

  it('opens the viewer on a photo; a swipe turns to the next, arrows too, Escape closes', () => {
    render([photo(1), photo(2), photo(3)])
    act(() => (container!.querySelectorAll('.attachment-thumb')[1] as HTMLButtonElement).click())
    expect(viewerPhoto()).toBe(`/api/attachments/${photo(2).id}/display`)
    pointer('pointerdown', 300)
    pointer('pointerup', 180) // a swipe to the left: the next photo
    expect(viewerPhoto()).toBe(`/api/attachments/${photo(3).id}/display`)
    pointer('pointerdown', 300)
    pointer('pointerup', 290) // a tap: stays
    expect(viewerPhoto()).toBe(`/api/attachments/${photo(3).id}/display`)
    act(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' })))
    expect(viewerPhoto()).toBe(`/api/attachments/${photo(2).id}/display`)
    act(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' })))
    expect(q('[data-testid="image-viewer"]')).toBeNull()
  })
})
