import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  type Browser,
  type BrowserContext,
  test as base,
  expect,
  type Page,
  type Route,
} from '@playwright/test'
import type {
  CreateEventResponse,
  CreateInvitationResponse,
  JoinResponse,
  Message,
  MessagePage,
} from '@secura/shared'
import { ChatPage } from './chat-page.ts'
import { SocketCutter } from './socket-cutter.ts'

const screenshotDir = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url))
mkdirSync(screenshotDir, { recursive: true })

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

export interface PersonOptions {
  /** A phone-sized context instead of a desktop one. */
  phone?: boolean
  /** Route the page's WebSockets through a SocketCutter, so the test can cut them (setOffline does not). */
  cuttable?: boolean
}

export interface Person {
  name: string
  context: BrowserContext
  page: Page
  chat: ChatPage
  sockets: SocketCutter | undefined
}

/**
 * Reloads the page of a person whose context is offline. Chromium starts the new document with
 * `navigator.onLine` true although every request still fails, which a device with no network does not do;
 * setting the emulation again (off, then on, with every request refused in between so nothing leaks out)
 * makes the page see the outage it is in.
 */
export async function reloadOffline(person: Person): Promise<void> {
  await person.page.reload()
  const refuse = (route: Route) => route.abort('internetdisconnected')
  await person.context.route('**/*', refuse)
  await person.context.setOffline(false)
  await person.context.setOffline(true)
  await person.context.unroute('**/*', refuse)
}

/** The REST API, as the admin or as a guest with a token: for setting up and for checking the server's state. */
export class Api {
  constructor(readonly baseURL: string) {}

  async call<T>(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = {}
    if (options.token) headers.authorization = `Bearer ${options.token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    // Setting up sends in bursts: a RATE_LIMITED answer stored nothing, so the same request goes again after
    // `retryAfterMs`, as the app's outbox does (a bounded number of times).
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(this.baseURL + path, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
      })
      const text = await res.text()
      if (res.status === 429 && attempt < 20) {
        const retryAfterMs = (JSON.parse(text) as { error?: { retryAfterMs?: number } }).error?.retryAfterMs
        await new Promise((resolve) => setTimeout(resolve, (retryAfterMs ?? 250) + 10))
        continue
      }
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return (text ? JSON.parse(text) : undefined) as T
    }
  }

  admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, path, { token: process.env.E2E_ADMIN_TOKEN!, body })
  }

  createEvent(name: string): Promise<CreateEventResponse> {
    return this.admin('POST', '/api/admin/events', { name })
  }

  invite(eventId: string, body: { role?: string; maxUses?: number } = {}): Promise<CreateInvitationResponse> {
    return this.admin('POST', `/api/events/${eventId}/invitations`, body)
  }

  /** A guest who joins over REST (no browser): reads the server's state with a token. */
  async joinedGuest(eventId: string, displayName: string): Promise<JoinResponse> {
    const { code } = await this.invite(eventId)
    return this.call('POST', '/api/auth/join', { body: { code, displayName } })
  }

  /**
   * A new event whose lobby holds `target`, written by Ben, far back: then `guests` guests write 20 messages
   * each (each guest within the send burst; the guests at once). `send` writes another, as anyone.
   */
  async lobbyWithHistory(eventName: string, target: string, guests: number) {
    const { event, lobby } = await this.createEvent(eventName)
    const ben = await this.joinedGuest(event.id, 'Ben')
    const send = (token: string, content: string) =>
      this.call<Message>('POST', `/api/chat/conversations/${lobby.id}/messages`, {
        token,
        body: { clientMessageId: crypto.randomUUID(), content },
      })
    const sent = await send(ben.token, target)
    const others = await Promise.all(
      Array.from({ length: guests }, (_, g) => this.joinedGuest(event.id, `Guest ${g}`)),
    )
    await Promise.all(
      others.map(async (guest, g) => {
        for (let i = 0; i < 20; i++) await send(guest.token, `chatter ${g}-${i} about the tides`)
      }),
    )
    return { event, lobby, ben, send, target: sent }
  }

  /** Every message of a conversation as the server stores it, oldest first. */
  async history(token: string, conversationId: string) {
    const page = await this.call<MessagePage>(
      'GET',
      `/api/chat/conversations/${conversationId}/messages?limit=100`,
      { token },
    )
    return page.messages.sort((a, b) => a.seq - b.seq)
  }
}

interface Fixtures {
  api: Api
  /** Opens a new browser context for a person; each is closed after the test. Dialogs fail the test. */
  person: (name: string, options?: PersonOptions) => Promise<Person>
  /** Joins through an invitation URL, as a new person, and waits for the chat. */
  join: (url: string, name: string, options?: PersonOptions) => Promise<Person>
  /** Saves a screenshot of the page under artifacts/screenshots (the whole page with fullPage). */
  shot: (page: Page, name: string, options?: { fullPage?: boolean }) => Promise<void>
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  api: async ({ baseURL }, use) => use(new Api(baseURL!)),

  person: async ({ browser, baseURL }, use) => {
    const opened: { context: BrowserContext; dialogs: string[] }[] = []
    await use(async (name, options = {}) => {
      const { context, dialogs } = await openContext(browser, baseURL!, options)
      opened.push({ context, dialogs })
      const sockets = options.cuttable ? await SocketCutter.attach(context) : undefined
      const page = await context.newPage()
      return { name, context, page, chat: new ChatPage(page), sockets }
    })
    for (const { context } of opened) await context.close()
    // A dialog is never part of these flows: one means script ran where it should not have.
    expect(opened.flatMap((o) => o.dialogs)).toEqual([])
  },

  join: async ({ person }, use) => {
    await use(async (url, name, options) => {
      const someone = await person(name, options)
      await someone.page.goto(url)
      await someone.page.getByLabel('Your display name').fill(name)
      await someone.page.getByRole('button', { name: 'Join the chat' }).click()
      // Generous: the first requests after a restart of an embedded database can be slow on a busy machine.
      await someone.page.waitForURL((url) => url.pathname === '/' || url.pathname.startsWith('/c/'), {
        timeout: 30_000,
      })
      await someone.chat.expectConnected()
      return someone
    })
  },

  // biome-ignore lint/correctness/noEmptyPattern: as above
  shot: async ({}, use) => {
    await use(async (page, name, options = {}) => {
      await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: options.fullPage ?? false })
    })
  },
})

async function openContext(browser: Browser, baseURL: string, options: PersonOptions) {
  const context = await browser.newContext({ baseURL, ...(options.phone ? PHONE : {}) })
  const dialogs: string[] = []
  context.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`)
    void dialog.dismiss()
  })
  return { context, dialogs }
}

export { expect }
