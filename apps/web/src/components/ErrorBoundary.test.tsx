// @vitest-environment happy-dom
import { act, lazy, type ReactNode, Suspense } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorBoundary, isChunkLoadError } from './ErrorBoundary.tsx'

// Tells React that updates in these tests are wrapped in act().
Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let root: Root | undefined
let container: HTMLElement | undefined
afterEach(() => {
  act(() => root?.unmount())
  container?.remove()
  root = container = undefined
})

/** Renders as main.tsx does: the boundary at the root, a Suspense for lazy pages inside it. */
async function render(children: ReactNode, onReload = () => {}) {
  container = document.createElement('div')
  document.body.append(container)
  const caught: unknown[] = []
  root = createRoot(container, { onCaughtError: (error) => caught.push(error) })
  await act(async () => {
    root!.render(
      <ErrorBoundary onReload={onReload} onError={() => {}}>
        <p>the page before</p>
        <Suspense fallback={<p>Loading…</p>}>{children}</Suspense>
      </ErrorBoundary>,
    )
  })
  // A rejected import settles after the first render: let React retry and hit the boundary.
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20))
  })
  return { container, caught }
}

const text = (element: Element) => element.textContent ?? ''
const reloadButton = (element: Element) =>
  [...element.querySelectorAll('button')].find((b) => text(b) === 'Reload')

describe('ErrorBoundary', () => {
  it('shows a reload action when a lazy chunk fails to download', async () => {
    const failure = new TypeError(
      'Failed to fetch dynamically imported module: http://localhost:3000/assets/AdminPage-Bx1.js',
    )
    const AdminPage = lazy(() => Promise.reject(failure))
    let reloads = 0
    const { container, caught } = await render(<AdminPage />, () => reloads++)

    expect(container.querySelector('[role="alert"] h1')?.textContent).toBe('This page could not be loaded')
    expect(text(container)).not.toContain('the page before')
    expect(caught).toEqual([failure])
    const button = reloadButton(container)
    expect(button).toBeDefined()
    await act(async () => button!.click())
    expect(reloads).toBe(1)
  })

  it('catches a lazy import of a file that is not there', async () => {
    const missing = '/assets/no-such-chunk.js'
    let loading: Promise<unknown> | undefined
    const Page = lazy(() => {
      loading = import(/* @vite-ignore */ missing)
      return loading as Promise<{ default: () => ReactNode }>
    })
    const { container, caught } = await render(<Page />)
    // The import fails once the module loader has looked for the file, which on a busy machine can take
    // longer than render's wait. Wait for that failure inside act: React retries the page when act ends.
    // (Waiting for the boundary inside act could not work: act holds React's retry until it ends.)
    await act(async () => {
      await loading?.catch(() => {})
    })

    expect(caught).toHaveLength(1)
    expect(container.querySelector('[role="alert"]')).not.toBeNull()
    expect(reloadButton(container)).toBeDefined()
  })

  it('shows a reload action when a component throws while rendering', async () => {
    function Broken(): ReactNode {
      throw new Error('cannot read the timeline')
    }
    let reloads = 0
    const { container, caught } = await render(<Broken />, () => reloads++)

    expect(container.querySelector('[role="alert"] h1')?.textContent).toBe('Something went wrong')
    expect(text(container)).not.toContain('cannot read the timeline')
    expect(caught).toHaveLength(1)
    await act(async () => reloadButton(container)!.click())
    expect(reloads).toBe(1)
  })

  it('renders its children while nothing fails', async () => {
    const { container, caught } = await render(<p>the lobby</p>)
    expect(text(container)).toContain('the lobby')
    expect(container.querySelector('[role="alert"]')).toBeNull()
    expect(caught).toEqual([])
  })

  it('tells a failed chunk from other errors, in the wording of each browser', () => {
    expect(isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: /a.js'))).toBe(true)
    expect(isChunkLoadError(new TypeError('error loading dynamically imported module: /a.js'))).toBe(true)
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true)
    expect(isChunkLoadError(new Error('cannot read the timeline'))).toBe(false)
    expect(isChunkLoadError('Failed to fetch dynamically imported module')).toBe(false)
  })
})
