import type { Locator, Page } from '@playwright/test'
import type { JoinResponse } from '@secura/shared'
import { type Api, expect, type Person, test } from '../support/fixtures.ts'

/**
 * Every screen at phone (390 px) and desktop (1280 px) width, saved under artifacts/screenshots, with the
 * layout facts that broke before: a one-line composer on a phone, the event's name once, the Latest pill
 * clear of the messages, a toolbar that stays put, one look for quotes, the search field's focus ring.
 */

const WIDTHS = [390, 1280] as const
const EVENT = 'Lighthouse Regatta'
const GROUP = 'Volunteers of the harbour festival crew'

interface Box {
  x: number
  y: number
  width: number
  height: number
}
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox()
  expect(b, 'element has a box').not.toBeNull()
  return b!
}

/** The visible elements whose whole text is exactly `text`. */
async function visibleExactly(page: Page, text: string): Promise<number> {
  const all = page.getByText(text, { exact: true })
  let visible = 0
  for (let i = 0; i < (await all.count()); i++) if (await all.nth(i).isVisible()) visible++
  return visible
}

async function post(api: Api, who: JoinResponse, conversationId: string, content: string, extra = {}) {
  return api.call<{ id: string }>('POST', `/api/chat/conversations/${conversationId}/messages`, {
    token: who.token,
    body: { clientMessageId: crypto.randomUUID(), content, ...extra },
  })
}

async function setUp(api: Api) {
  const { event, lobby } = await api.createEvent(EVENT)
  const mia = await api.joinedGuest(event.id, 'Mia')
  const olgaInvite = await api.invite(event.id, { role: 'organizer' })
  // A lobby long enough to scroll, with a reply, a reaction and a pin.
  const first = await post(api, mia, lobby.id, 'Boats leave the harbour at nine; skippers meet at the flag.')
  for (let i = 1; i <= 24; i++)
    await post(api, mia, lobby.id, `Update ${i}: the wind is steady from the west.`)
  await post(api, mia, lobby.id, 'Replying to the first call: see you at the flag.', { replyToId: first.id })
  return { event, lobby, mia, olgaInvite }
}

for (const width of WIDTHS) {
  test(`every screen at ${width} px: screenshots and layout facts`, async ({ api, person, join, shot }) => {
    // Many screens in one walk: more than one scenario's time.
    test.setTimeout(240_000)
    const phone = width === 390
    const size = phone ? { phone: true } : {}
    const { event, lobby, mia, olgaInvite } = await setUp(api)
    const guestInvite = await api.invite(event.id)

    // Join page.
    const visitor = await person('Visitor', size)
    if (!phone) await visitor.page.setViewportSize({ width, height: 800 })
    await visitor.page.goto(guestInvite.url)
    await expect(visitor.page.getByLabel('Your display name')).toBeVisible()
    await shot(visitor.page, `join-${width}`)

    // The organizer, and a guest (Ben) at this width.
    const olga = await join(olgaInvite.url, 'Olga', size)
    const ben = await join((await api.invite(event.id)).url, 'Ben', size)
    const pages: Person[] = [olga, ben]
    if (!phone) for (const p of pages) await p.page.setViewportSize({ width, height: 800 })

    await ben.chat.openLobby()
    await expect(ben.chat.message('Replying to the first call')).toBeVisible()
    // Olga pins the first call and announces.
    await api.call(
      'PUT',
      `/api/chat/conversations/${lobby.id}/messages/${await firstId(api, mia, lobby.id)}/pin`,
      {
        token: await tokenOf(olga),
      },
    )
    await post(api, await meOf(olga), lobby.id, 'Prize giving at six on the quay.', { announcement: true })
    await expect(ben.page.getByTestId('announcement')).toBeVisible()
    await expect(ben.page.getByTestId('pinned-bar')).toBeVisible()

    // The event's name once on screen: the sidebar names the event, the lobby is "Lobby".
    if (!phone) expect(await visibleExactly(ben.page, EVENT)).toBe(1)
    else {
      expect(await visibleExactly(ben.page, EVENT)).toBeLessThanOrEqual(1)
      await ben.page.getByRole('button', { name: 'Back to conversations' }).click()
      expect(await visibleExactly(ben.page, EVENT)).toBe(1)
      await ben.chat.openLobby()
    }
    await shot(ben.page, `lobby-${width}`)

    // One look for quotes: the reply's bar is the accent colour, as the composer's reply bar is.
    const quote = ben.chat.message('Replying to the first call').locator('.reply-quote')
    const quoteBar = await quote.evaluate((el) => getComputedStyle(el).borderLeftColor)
    // A tap shows a message's actions on a phone (there is no hover), a click on a desktop.
    const reply = ben.chat.message('Replying to the first call')
    await reply.locator('.message-text').click()
    await reply.getByTestId('reply-message').click()
    const contextBar = await ben.page
      .locator('.composer-context')
      .evaluate((el) => getComputedStyle(el).borderLeftColor)
    expect(quoteBar).toBe(contextBar)
    await ben.page.keyboard.press('Escape')

    // The toolbar does not move when the emoji picker opens.
    const target = ben.chat.message('Update 24')
    await target.locator('.message-text').click()
    const react = target.getByTestId('add-reaction')
    const before = await box(react)
    await react.click()
    await expect(target.locator('.emoji-picker')).toBeVisible()
    const after = await box(react)
    expect(Math.abs(after.x - before.x)).toBeLessThan(1)
    expect(Math.abs(after.y - before.y)).toBeLessThan(1)
    await shot(ben.page, `emoji-picker-${width}`)
    await ben.page.keyboard.press('Escape')

    // Scrolled up, the Latest pill covers no message.
    await ben.page.getByTestId('timeline').evaluate((el) => el.scrollBy(0, -400))
    const pill = ben.page.getByTestId('jump-latest')
    await expect(pill).toBeVisible()
    const pillBox = await box(pill)
    const bubbles = ben.page.getByTestId('timeline').locator('.message-bubble')
    for (let i = 0; i < (await bubbles.count()); i++) {
      const bubble = bubbles.nth(i)
      if (!(await bubble.isVisible())) continue
      // Only the part the scrolling timeline shows counts (it clips the rest).
      const b = await box(bubble)
      const frame = await box(ben.page.getByTestId('timeline'))
      const top = Math.max(b.y, frame.y)
      const bottom = Math.min(b.y + b.height, frame.y + frame.height)
      if (bottom <= top) continue
      const shown = { x: b.x, y: top, width: b.width, height: bottom - top }
      if (phone) expect(overlaps(pillBox, shown), `pill over message ${i}`).toBe(false)
    }
    await shot(ben.page, `lobby-scrolled-${width}`)
    await pill.click()

    // A direct message.
    await openFromList(ben, phone, async () => {
      await ben.page.getByRole('button', { name: 'New message' }).click()
      await ben.page.getByTestId('directory-search').fill('Mia')
      await expect(ben.page.getByTestId('directory-user').first()).toBeVisible()
      await shot(ben.page, `directory-${width}`)
      await ben.page.getByTestId('directory-user').filter({ hasText: 'Mia' }).click()
    })
    await expect(ben.page.getByTestId('conversation-title')).toHaveText('Mia')
    await ben.chat.send('Are you sailing today?')
    await expect(ben.chat.message('Are you sailing today?')).toHaveAttribute('data-state', 'sent')
    await shot(ben.page, `dm-${width}`)

    // A group with a long title: the composer stays one line on a phone; the search field's focus ring.
    await openFromList(ben, phone, async () => {
      await ben.page.getByRole('button', { name: 'New group' }).click()
      await ben.page.getByTestId('group-title').fill(GROUP)
      const search = ben.page.getByTestId('directory-search')
      await search.focus()
      const ring = await search.evaluate((el) => getComputedStyle(el).outlineColor)
      const accent = await search.evaluate((el) => getComputedStyle(el).getPropertyValue('--primary').trim())
      expect(ring).toBe(hexToRgb(accent))
      await search.fill('Olga')
      await ben.page.getByTestId('pick-user').filter({ hasText: 'Olga' }).click()
      await shot(ben.page, `new-group-${width}`)
      await ben.page.getByTestId('create-group').click()
    })
    await expect(ben.page.getByTestId('conversation-title')).toHaveText(GROUP)
    const input = ben.chat.input
    await expect(input).toBeVisible()
    const inputBox = await box(input)
    expect(inputBox.height, 'the empty composer is one line').toBeLessThanOrEqual(48)
    await shot(ben.page, `group-${width}`)

    // The member list: role badges.
    await ben.page.getByTestId('manage-members').click()
    const olgaRow = ben.page.getByTestId('member').filter({ hasText: 'Olga' })
    await expect(olgaRow.locator('.badge-organizer')).toHaveText('Organizer')
    await shot(ben.page, `members-${width}`)
    await ben.page.keyboard.press('Escape')

    // The organizer console: guests, invitations, the lobby settings.
    if (phone) await olga.page.getByRole('button', { name: 'Back to conversations' }).click()
    await olga.page.getByRole('link', { name: 'Organizer console' }).click()
    await expect(olga.page.getByTestId('lobby-settings')).toBeVisible()
    await expect(olga.page.getByTestId('guest').first()).toBeVisible()
    await shot(olga.page, `console-${width}`, { fullPage: true })
  })
}

/** On a phone the list and a conversation take turns: go back to the list first. */
async function openFromList(who: Person, phone: boolean, open: () => Promise<void>) {
  if (phone) await who.page.getByRole('button', { name: 'Back to conversations' }).click()
  await open()
}

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.replace('#', ''), 16)
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`
}

async function meOf(who: Person): Promise<JoinResponse> {
  return {
    ...(await who.page.evaluate(async () => (await fetch('/api/auth/me')).json())),
    token: await tokenOf(who),
  }
}

/** The session cookie's token, to act for a browser's user over the API. */
async function tokenOf(who: Person): Promise<string> {
  const cookies = await who.context.cookies()
  const session = cookies.find((c) => c.name === 'secura_session')
  expect(session, 'session cookie').toBeDefined()
  return session!.value
}

async function firstId(api: Api, who: JoinResponse, lobbyId: string): Promise<string> {
  const history = await api.history(who.token, lobbyId)
  return history.find((m) => m.content.startsWith('Boats leave'))!.id
}
