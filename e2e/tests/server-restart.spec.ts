import { expect, test } from '../support/fixtures.ts'

/** Restarts the real server on the same port and database (global-setup.ts); resolves once it is ready. */
async function restartServer(): Promise<void> {
  const res = await fetch(`${process.env.E2E_CONTROL_URL}/restart`, { method: 'POST' })
  if (!res.ok) throw new Error(`restart failed: ${res.status} ${await res.text()}`)
}

test('the server restarts mid-conversation: both recover, nothing is lost', async ({ api, join }) => {
  const { event, lobby } = await api.createEvent('Night Train')
  const ana = await join((await api.invite(event.id)).url, 'Ana')
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  await ana.chat.send('Before the restart')
  await expect(ben.chat.message('Before the restart')).toBeVisible()

  const restarted = restartServer()
  await expect(ana.chat.banner).toHaveAttribute('data-state', 'reconnecting')
  await expect(ben.chat.banner).toHaveAttribute('data-state', 'reconnecting')
  // Sent while the server is down: queued, and delivered when it is back.
  await ana.chat.send('During the restart, from Ana')
  await ben.chat.send('During the restart, from Ben')
  await restarted

  await ana.chat.expectConnected()
  await ben.chat.expectConnected()
  await ana.chat.send('After the restart')
  const expected = [
    'Before the restart',
    'During the restart, from Ana',
    'During the restart, from Ben',
    'After the restart',
  ]
  for (const who of [ana, ben]) {
    await expect
      .poll(async () => (await who.chat.texts()).sort(), { timeout: 30_000 })
      .toEqual([...expected].sort())
    await expect(who.page.locator('[data-testid="message"][data-state="pending"]')).toHaveCount(0)
  }
  // Live again, both ways (not only the HTTP poll).
  await ben.chat.send('Live again')
  await expect(ana.chat.message('Live again')).toBeVisible({ timeout: 10_000 })

  const reader = await api.joinedGuest(event.id, 'Reader')
  const stored = await api.history(reader.token, lobby.id)
  expect(stored.map((m) => m.content).sort()).toEqual([...expected, 'Live again'].sort())
  expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5])
})
