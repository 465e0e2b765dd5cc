import type { Page } from '@playwright/test'
import { expect, type Person, type PersonOptions, test } from '../support/fixtures.ts'

/**
 * The app served over plain http from a LAN-like name (venue.test, mapped to 127.0.0.1 in
 * playwright.config.ts), as at a venue: not a secure context, so no crypto.randomUUID, Web Locks, service
 * worker or clipboard API. Joining, chatting, the outbox, reload and sync work without them.
 */
const venue = () => process.env.E2E_VENUE_URL!
/** An invitation URL (made for PUBLIC_URL) as a phone on the venue network opens it. */
const atVenue = (url: string) => {
  const { pathname, search } = new URL(url)
  return `${venue()}${pathname}${search}`
}

/**
 * Uncaught exceptions and console errors of a page (`randomUUID is not a function` was one), leaving out
 * what the browser itself reports: failed requests while offline.
 */
const BROWSER_NOTES = /net::ERR_|WebSocket connection to|Failed to load resource/
function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' && !BROWSER_NOTES.test(message.text()))
      errors.push(`console: ${message.text()}`)
  })
  return errors
}

type OpenPerson = (name: string, options?: PersonOptions) => Promise<Person>

/** Opens an invitation as a new person on the venue network and joins; their page's errors are watched. */
async function joinAtVenue(person: OpenPerson, url: string, name: string, options?: PersonOptions) {
  const someone = await person(name, options)
  const errors = watchErrors(someone.page)
  await someone.page.goto(atVenue(url))
  await someone.page.getByLabel('Your display name').fill(name)
  await someone.page.getByRole('button', { name: 'Join the chat' }).click()
  await someone.page.waitForURL((u) => u.pathname === '/' || u.pathname.startsWith('/c/'), {
    timeout: 30_000,
  })
  await someone.chat.expectConnected()
  return { ...someone, errors }
}

test.describe('plain http from a LAN name (not a secure context)', () => {
  test('join, send, receive, offline, reopen, back, reload: every message once, in order, on both sides', async ({
    api,
    person,
  }) => {
    const { event, lobby } = await api.createEvent('Village Hall')
    const ana = await joinAtVenue(person, (await api.invite(event.id)).url, 'Ana', { cuttable: true })
    const ben = await joinAtVenue(person, (await api.invite(event.id)).url, 'Ben')

    // What the browser withholds here: the app must not rely on any of it.
    expect(
      await ana.page.evaluate(() => ({
        origin: location.origin,
        secure: window.isSecureContext,
        randomUUID: 'randomUUID' in crypto,
        locks: 'locks' in navigator,
        serviceWorker: 'serviceWorker' in navigator,
        clipboard: 'clipboard' in navigator,
      })),
    ).toEqual({
      origin: venue(),
      secure: false,
      randomUUID: false,
      locks: false,
      serviceWorker: false,
      clipboard: false,
    })

    // Live both ways.
    await ana.chat.openLobby()
    await ben.chat.openLobby()
    await ben.chat.send('Anyone near the stage?')
    await expect(ana.chat.message('Anyone near the stage?')).toBeVisible()
    await ana.chat.send('Right by the speakers')
    await expect(ben.chat.message('Right by the speakers')).toBeVisible()

    // The network goes (setOffline leaves open sockets open: cut them too), and Ana writes three.
    const offline = ['Offline one', 'Offline two', 'Offline three']
    await ana.context.setOffline(true)
    await ana.sockets!.cut()
    await expect(ana.chat.banner).toHaveAttribute('data-state', 'offline')
    for (const text of offline) await ana.chat.send(text)
    const pending = ana.page.locator('[data-testid="message"][data-state="pending"] .message-text')
    await expect(pending).toHaveText(offline)

    // The page goes, and opening it again with no network shows only the browser's error page: with no
    // service worker there is no offline shell. (Leaving through about:blank first: a failing reload lets
    // the old page run on outside Chromium's emulated offline, which a real outage would not.)
    await ana.page.goto('about:blank')
    await expect(ana.page.goto(`${venue()}/`)).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/)
    await expect(ana.chat.banner).toHaveCount(0)
    const reader = await api.joinedGuest(event.id, 'Reader')
    const stored = async () =>
      (await api.history(reader.token, lobby.id)).filter((m) => offline.includes(m.content))
    expect(await stored()).toEqual([])

    // Back: the app opens, and the three go out of its IndexedDB outbox once each, in order.
    ana.sockets!.restore()
    await ana.context.setOffline(false)
    await ana.page.goto(`${venue()}/`)
    await ana.chat.expectConnected()
    await ana.chat.openLobby()
    const expected = ['Anyone near the stage?', 'Right by the speakers', ...offline]
    const seenBy = async (who: Person) => (await who.chat.texts()).filter((t) => expected.includes(t))
    for (const who of [ana, ben]) await expect.poll(() => seenBy(who), { timeout: 30_000 }).toEqual(expected)
    await expect(pending).toHaveCount(0)
    expect((await stored()).map((m) => m.content)).toEqual(offline)
    expect(new Set((await stored()).map((m) => m.clientMessageId)).size).toBe(3)

    // A reload online: the cache and the server's state agree, nothing shows twice.
    await ana.page.reload()
    await ana.chat.expectConnected()
    await ana.chat.openLobby()
    await expect.poll(() => seenBy(ana)).toEqual(expected)
    expect(await ana.chat.texts()).toEqual(expected)

    expect([...ana.errors, ...ben.errors]).toEqual([])
  })

  test('at phone width a guest joins, and the organizer console says what https would add', async ({
    api,
    person,
    shot,
  }) => {
    const { event } = await api.createEvent('Harbour Festival')
    const cleo = await joinAtVenue(person, (await api.invite(event.id)).url, 'Cleo', { phone: true })
    expect(await cleo.page.evaluate(() => window.innerWidth)).toBe(390)
    // A guest who has just joined lands in the lobby, on a phone too.
    await expect(cleo.page.getByTestId('conversation-title')).toHaveText('Lobby')
    // Nothing wider than the phone, and no word of https for a guest.
    expect(await cleo.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await expect(cleo.page.getByTestId('plain-http-notice')).toHaveCount(0)

    const admin = await person('Admin', { phone: true })
    const errors = watchErrors(admin.page)
    const console = admin.page
    await console.goto(`${venue()}/admin`)
    const notice = console.getByTestId('plain-http-notice')
    await expect(notice).toContainText('offline shell')
    await expect(notice).toContainText('docs/venue.md')
    await console.getByRole('textbox', { name: 'Admin token' }).fill(process.env.E2E_ADMIN_TOKEN!)
    await console.getByRole('button', { name: 'Open the console' }).click()
    await console.getByRole('textbox', { name: 'Name', exact: true }).fill('Pier Party')
    await console.getByRole('button', { name: 'Create event' }).click()
    await expect(console.getByRole('heading', { name: 'Pier Party' })).toBeVisible()
    await console.evaluate(() => window.scrollTo(0, 0))
    await shot(console, 'console-plain-http-phone')
    await console.getByRole('button', { name: 'Create invitations' }).click()
    const link = console.locator('.invitation-link code.url').first()
    await expect(link).toBeVisible()
    expect(await console.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    // Copy link without the clipboard API: the link is selected and copied the old way.
    await console.getByRole('button', { name: 'Copy link' }).first().click()
    await expect(console.getByRole('button', { name: 'Copied' })).toBeVisible()
    expect(await console.evaluate(() => window.getSelection()?.toString())).toBe(await link.textContent())
    // A paste gives it back: it is on the clipboard.
    await console.evaluate(() => {
      const box = document.createElement('textarea')
      box.id = 'paste-probe'
      document.body.append(box)
      box.focus()
    })
    await console.keyboard.press('Control+V')
    await expect(console.locator('#paste-probe')).toHaveValue((await link.textContent())!)
    await console.locator('#paste-probe').evaluate((box) => box.remove())

    // Dismissed, it stays dismissed.
    await notice.getByRole('button', { name: 'Dismiss' }).click()
    await expect(notice).toHaveCount(0)
    await console.reload()
    await expect(console.getByRole('heading', { name: 'Organizer console' })).toBeVisible()
    await expect(notice).toHaveCount(0)
    expect(errors).toEqual([])
  })
})
