// @vitest-environment happy-dom
import type { NotificationPreferences } from '@secura/shared'
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MuteToggle } from './MuteToggle.tsx'
import { NotificationSettings } from './NotificationSettings.tsx'
import { setPreferences } from './preferences.ts'

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let root: Root | undefined
let container: HTMLElement | undefined
beforeEach(() => {
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
})
afterEach(() => {
  act(() => root?.unmount())
  container?.remove()
  setPreferences(null)
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

const CONVERSATION = '0192f3b4-0000-7000-8000-000000000001'
const prefs = (muted: string[]): NotificationPreferences => ({
  mutedConversationIds: muted,
  quietHours: null,
})
const click = (testId: string) =>
  act(async () => {
    container?.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.click()
  })

describe('NotificationSettings', () => {
  it('on plain http, says quietly what https would add and offers no switch', async () => {
    vi.stubGlobal('isSecureContext', false)
    await act(async () => root?.render(<NotificationSettings />))
    await click('notification-settings')
    expect(container?.querySelector('[data-testid="push-unavailable"]')?.textContent).toMatch(/https/)
    expect(container?.querySelector('[data-testid="push-switch"]')).toBeNull()
    // Quiet hours work on every device, https or not.
    expect(container?.querySelector('[data-testid="quiet-hours"]')).not.toBeNull()
  })
})

describe('MuteToggle', () => {
  it('shows the stored preference and changes it through the server', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(prefs([CONVERSATION])), { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    setPreferences(prefs([]))
    await act(async () => root?.render(<MuteToggle conversationId={CONVERSATION} />))
    const button = () => container?.querySelector('[data-testid="mute-conversation"]')
    expect(button()?.getAttribute('aria-pressed')).toBe('false')
    await click('mute-conversation')
    await act(async () => {})
    expect(fetch).toHaveBeenCalledTimes(1)
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toContain(`/api/chat/conversations/${CONVERSATION}/mute`)
    expect(init.method).toBe('PUT')
    expect(JSON.parse(String(init.body))).toEqual({ muted: true })
    expect(button()?.getAttribute('aria-pressed')).toBe('true')
    expect(button()?.textContent).toBe('Muted')
  })

  it('a change from another device shows at once', async () => {
    setPreferences(prefs([]))
    await act(async () => root?.render(<MuteToggle conversationId={CONVERSATION} />))
    await act(async () => setPreferences(prefs([CONVERSATION])))
    expect(container?.querySelector('[data-testid="mute-conversation"]')?.textContent).toBe('Muted')
  })
})
