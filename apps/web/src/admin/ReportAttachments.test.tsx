// @vitest-environment happy-dom
import type { Attachment } from '@secura/shared'
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useAppStore } from '../store/index.ts'
import { ReportAttachments } from './ReportAttachments.tsx'

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let root: Root | undefined
let container: HTMLElement | undefined
afterEach(() => {
  act(() => root?.unmount())
  container?.remove()
  root = container = undefined
  useAppStore.setState({ adminToken: null })
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

const photo: Attachment = {
  id: '0190a3c0-0000-7000-8000-000000000001',
  kind: 'image',
  mime: 'image/webp',
  name: 'stage.webp',
  size: 1000,
  width: 300,
  height: 200,
  blurhash: null,
}
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

async function render(attachments: Attachment[]) {
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
  await act(async () => root!.render(<ReportAttachments attachments={attachments} />))
  return container
}

describe('a reported message’s attachments in the queue', () => {
  it('signed in as organizer: thumbnails open the display size, files download, straight from the URLs', async () => {
    const view = await render([photo, pdf])
    expect(view.querySelector('img')?.getAttribute('src')).toBe(`/api/attachments/${photo.id}/thumb`)
    expect(view.querySelector('img')?.getAttribute('alt')).toBe('stage.webp')
    const [open, download] = [...view.querySelectorAll('a')]
    expect(open?.getAttribute('href')).toBe(`/api/attachments/${photo.id}/display`)
    expect(download?.getAttribute('href')).toBe(`/api/attachments/${pdf.id}/file`)
    expect(download?.getAttribute('download')).toBe('slides.pdf')
    expect(download?.textContent).toBe('📎 slides.pdf (2.4 MB)')
  })

  it('with the admin token: fetched with it (an <img> cannot send the header), shown as blobs', async () => {
    useAppStore.setState({ adminToken: 'the-admin-token' })
    const fetched: [string, string | null][] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string, init?: RequestInit) => {
        fetched.push([path, new Headers(init?.headers).get('authorization')])
        return path.endsWith('/file') ? new Response('nope', { status: 404 }) : new Response('bytes')
      }),
    )
    let n = 0
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:test/${++n}`)
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const view = await render([photo, pdf])
    await act(async () => new Promise((r) => setTimeout(r, 10)))
    expect(fetched.sort()).toEqual([
      [`/api/attachments/${photo.id}/display`, 'Bearer the-admin-token'],
      [`/api/attachments/${photo.id}/thumb`, 'Bearer the-admin-token'],
      [`/api/attachments/${pdf.id}/file`, 'Bearer the-admin-token'],
    ])
    expect(view.querySelector('img')?.getAttribute('src')).toMatch(/^blob:test\//)
    expect(view.querySelector('a')?.getAttribute('href')).toMatch(/^blob:test\//)
    // A file the server would not give: its name, without a link.
    expect(view.textContent).toContain('📎 slides.pdf (2.4 MB)')
    expect(view.querySelectorAll('a')).toHaveLength(1)
  })
})
