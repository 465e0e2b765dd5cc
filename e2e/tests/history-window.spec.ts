import type { Page } from '@playwright/test'
import { expect, test } from '../support/fixtures.ts'

/** Messages the page received in history pages, as they come. */
function watchHistory(page: Page) {
  const seen = { pages: 0, messages: 0 }
  page.on('response', async (response) => {
    const request = response.request()
    if (request.method() !== 'GET' || !/\/api\/chat\/conversations\/[^/]+\/messages\?/.test(request.url()))
      return
    const body = (await response.json().catch(() => null)) as { messages?: unknown[] } | null
    seen.pages++
    seen.messages += body?.messages?.length ?? 0
  })
  return seen
}

/** The page's user's read mark in a conversation, as the server holds it (read marks go over the socket). */
async function readMark(page: Page, conversationId: string): Promise<number> {
  return page.evaluate(async (id) => {
    const response = await fetch('/api/chat/conversations')
    const { conversations } = (await response.json()) as {
      conversations: { id: string; lastReadSeq: number }[]
    }
    return conversations.find((c) => c.id === id)?.lastReadSeq ?? -1
  }, conversationId)
}

/** Scrolls the timeline down a screenful at a time until `done` holds (newer pages load on the way). */
async function scrollDownUntil(page: Page, done: () => Promise<boolean>) {
  const timeline = page.getByTestId('timeline')
  await expect(async () => {
    await timeline.evaluate((el) => el.scrollBy(0, el.clientHeight))
    expect(await done()).toBe(true)
  }).toPass({ timeout: 60_000, intervals: [100] })
}

test('a search hit 300 messages back opens in place, scrolls down to the newest, and a deep link does the same', async ({
  api,
  join,
  shot,
}) => {
  // The hit, then 300 newer messages.
  const { event, lobby, ben, send, target } = await api.lobbyWithHistory(
    'Window Harbour',
    'The ferry to the far island leaves from pier seven',
    15,
  )

  const ana = await join((await api.invite(event.id)).url, 'Ana', { phone: true })
  await ana.page.goto('/')
  await expect(ana.page.getByTestId('conversation-item').first()).toBeVisible()
  // One unread message for Ana, the newest.
  const newest = await send(ben.token, 'Last call for the evening ferry')
  const seen = watchHistory(ana.page)
  await ana.page.getByTestId('message-search').fill('ferry pier')
  await expect(ana.page.getByTestId('search-hit')).toHaveCount(1)
  await ana.page.getByTestId('search-hit').click()

  const timeline = ana.page.getByTestId('timeline')
  const hit = timeline.locator(`[data-message-id="${target.id}"]`)
  await expect(hit).toBeInViewport()
  await expect(hit).toBeFocused()
  await expect(hit).toHaveAttribute('data-linked', 'true')
  const pill = ana.page.getByTestId('jump-latest')
  await expect(pill).toHaveText(/Jump to latest/)
  await shot(ana.page, 'history-window-phone')
  // One page around it (and perhaps one more while the view settles), not the 300 after it.
  expect(seen.messages).toBeLessThan(160)
  await expect(timeline.locator(`[data-message-id="${newest.id}"]`)).toHaveCount(0)
  // Reading far back marks nothing read.
  expect(await readMark(ana.page, lobby.id)).toBeLessThan(newest.seq)

  // "Jump to latest": the newest messages, and now they are read.
  await pill.click()
  await expect(timeline.locator(`[data-message-id="${newest.id}"]`)).toBeInViewport()
  await expect(pill).toHaveCount(0)
  await expect.poll(() => readMark(ana.page, lobby.id)).toBe(newest.seq)

  // A deep link after a reload: search's seq is gone, the link goes by the message's id.
  await ana.page.goto(`/c/${lobby.id}/m/${target.id}`)
  const linked = ana.page.getByTestId('timeline').locator(`[data-message-id="${target.id}"]`)
  await expect(linked).toBeInViewport()
  await expect(linked).toBeFocused()
  await expect(ana.page.getByTestId('jump-latest')).toHaveText(/Jump to latest/)

  // Scrolling down pages newer messages in until the window joins the latest: no gap, no duplicate.
  await scrollDownUntil(
    ana.page,
    async () => (await ana.page.locator(`[data-message-id="${newest.id}"]`).count()) > 0,
  )
  await ana.page.getByTestId('timeline').evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(ana.page.locator(`[data-message-id="${newest.id}"]`)).toBeInViewport()
  await expect(ana.page.getByTestId('jump-latest')).toHaveCount(0)
  const contents = await ana.page
    .getByTestId('timeline')
    .locator('[data-testid="message"] .message-bubble')
    .allTextContents()
  expect(new Set(contents).size).toBe(contents.length)
})
