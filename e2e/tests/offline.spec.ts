import { expect, reloadOffline, test } from '../support/fixtures.ts'

const outbox = ['one', 'two', 'three', 'four', 'five'].map((n) => `Offline message ${n}`)

test('offline: five messages wait in the outbox through a reload, then arrive once each, in order', async ({
  api,
  join,
}) => {
  const { event, lobby } = await api.createEvent('Mountain Hut')
  const ana = await join((await api.invite(event.id)).url, 'Ana', { cuttable: true })
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  await ben.chat.send('Is anyone at the hut?')
  await expect(ana.chat.message('Is anyone at the hut?')).toBeVisible()
  // The app shell's service worker is in control (it is what opens the app with no network).
  await expect.poll(() => ana.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)

  // The network goes: HTTP fails, and the open socket is cut too (setOffline alone leaves it open).
  await ana.context.setOffline(true)
  await ana.sockets!.cut()
  await expect(ana.chat.banner).toHaveAttribute('data-state', 'offline')
  for (const text of outbox) await ana.chat.send(text)
  await expect(ana.page.locator('[data-testid="message"][data-state="pending"]')).toHaveCount(5)

  // A reload with no network: the app opens from its cache, the five still queued, in order.
  await reloadOffline(ana)
  await expect(ana.chat.banner).toHaveAttribute('data-state', 'offline')
  await expect(ana.chat.banner).toContainText('5 messages are waiting')
  await expect(ana.chat.message('Is anyone at the hut?')).toBeVisible()
  const pending = ana.page.locator('[data-testid="message"][data-state="pending"] .message-text')
  await expect(pending).toHaveText(outbox)
  await expect(ben.chat.message(outbox[0]!)).toHaveCount(0)

  // Back online: each arrives exactly once, in order, for both.
  ana.sockets!.restore()
  await ana.context.setOffline(false)
  await ana.chat.expectConnected()
  for (const who of [ana, ben]) {
    await expect
      .poll(async () => (await who.chat.texts()).filter((t) => outbox.includes(t)), { timeout: 30_000 })
      .toEqual(outbox)
  }
  await expect(ana.page.locator('[data-testid="message"][data-state="pending"]')).toHaveCount(0)
  await expect(ana.chat.banner).not.toContainText('waiting')

  // The server stored each exactly once, in the order they were written.
  const reader = await api.joinedGuest(event.id, 'Reader')
  const stored = (await api.history(reader.token, lobby.id)).filter((m) => outbox.includes(m.content))
  expect(stored.map((m) => m.content)).toEqual(outbox)
  expect(new Set(stored.map((m) => m.clientMessageId)).size).toBe(5)
})
