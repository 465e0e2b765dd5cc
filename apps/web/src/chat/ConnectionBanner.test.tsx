// @vitest-environment happy-dom
import type { ConnectionState } from '@secura/chat-client'
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import { EMPTY_SNAPSHOT } from '../store/chat.slice.ts'
import { useAppStore } from '../store/index.ts'
import { ConnectionBanner } from './ConnectionBanner.tsx'

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let root: Root | undefined
let container: HTMLElement | undefined
function unmount() {
  act(() => root?.unmount())
  container?.remove()
  root = container = undefined
}
afterEach(() => {
  unmount()
  useAppStore.setState({ chat: EMPTY_SNAPSHOT })
})

function banner(connection: ConnectionState, outboxSize: number) {
  unmount()
  useAppStore.setState({ chat: { ...EMPTY_SNAPSHOT, connection, outboxSize } })
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
  act(() => root!.render(<ConnectionBanner />))
  const status = container.querySelector('[role="status"]')!
  return { state: status.getAttribute('data-state'), text: status.textContent }
}

describe('ConnectionBanner', () => {
  it('names the state, and how many messages wait whenever the socket is not up', () => {
    expect(banner('offline', 5)).toEqual({
      state: 'offline',
      text: "You're offline — your messages will be sent when you're back. 5 messages are waiting.",
    })
  })

  it('counts one waiting message in the singular, also while the first connect is still pending', () => {
    expect(banner('connecting', 1)).toEqual({
      state: 'connecting',
      text: 'Connecting… 1 message is waiting.',
    })
  })

  it('says nothing of an empty outbox', () => {
    expect(banner('reconnecting', 0).text).toBe('Reconnecting… Your messages are still being sent.')
    expect(banner('connected', 0).text).toBe('Connected')
  })
})
