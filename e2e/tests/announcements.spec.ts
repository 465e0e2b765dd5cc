import { expect, test } from '../support/fixtures.ts'

test('an organizer announces, and the guest sees the banner and pin; dismissed, it stays gone after a reload', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Harbour Festival')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')
  const gus = await join((await api.invite(event.id)).url, 'Gus', { phone: true })

  // Olga posts an announcement from the lobby's composer.
  await olga.chat.openLobby()
  await olga.page.getByTestId('announce-toggle').check()
  await olga.chat.send('Fireworks at ten, on the pier')
  const posted = olga.chat.message('Fireworks at ten, on the pier')
  await expect(posted.getByTestId('message-marks')).toContainText('Announcement')

  // Gus, in the lobby: the announcement stands at the top, marked, with its Dismiss.
  const pinnedAnnouncement = gus.page.getByTestId('announcement')
  await expect(pinnedAnnouncement).toContainText('Fireworks at ten, on the pier')
  await expect(pinnedAnnouncement).toContainText('Olga')
  await expect(gus.chat.message('Fireworks at ten, on the pier').getByTestId('message-marks')).toContainText(
    'Announcement',
  )
  await shot(gus.page, 'lobby-announcement-390')

  // Elsewhere (a direct message), the banner shows it.
  const olgaId = await olga.page.evaluate(async () => {
    const res = await fetch('/api/auth/me')
    return ((await res.json()) as { user: { id: string } }).user.id
  })
  await gus.page.evaluate(async (userId) => {
    await fetch('/api/chat/conversations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'direct', userId }),
    })
  }, olgaId)
  await gus.page.reload()
  await gus.chat.expectConnected()
  await gus.page.getByRole('button', { name: 'Back to conversations' }).click()
  await gus.chat.conversation('direct').click()
  const banner = gus.page.getByTestId('announcement-banner')
  await expect(banner).toContainText('Fireworks at ten, on the pier')
  await shot(gus.page, 'dm-announcement-banner-390')

  // Olga pins an ordinary message; Gus sees it in the pinned bar.
  await olga.chat.send('Lost and found is at the info tent')
  const ordinary = olga.chat.message('Lost and found is at the info tent')
  await ordinary.hover()
  await ordinary.getByTestId('pin-message').click()
  await expect(ordinary.getByTestId('message-marks')).toContainText('Pinned')
  await gus.page.getByRole('button', { name: 'Read' }).click()
  const pinnedBar = gus.page.getByTestId('pinned-bar')
  await expect(pinnedBar).toContainText('Lost and found is at the info tent')
  await pinnedBar.locator('summary').click()
  await expect(gus.page.getByTestId('pinned-message')).toHaveCount(1)

  // Dismissed: gone, and still gone after a reload (kept on the server).
  await pinnedAnnouncement.getByTestId('dismiss-announcement').click()
  await expect(gus.page.getByTestId('announcement')).toHaveCount(0)
  await gus.page.reload()
  await gus.chat.expectConnected()
  await gus.chat.openLobby()
  await expect(gus.chat.message('Fireworks at ten, on the pier')).toBeVisible()
  await expect(gus.page.getByTestId('announcement')).toHaveCount(0)
  await expect(gus.page.getByTestId('pinned-bar')).toContainText('Lost and found')
})

test('an announcement-only lobby: the guest’s composer says why, and what was queued fails visibly with the reason', async ({
  api,
  join,
}) => {
  const { event } = await api.createEvent('Quiet Hall')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')
  const gus = await join((await api.invite(event.id)).url, 'Gus', { cuttable: true })

  // Gus writes while his connection is cut: the message waits in the outbox.
  await gus.sockets!.cut()
  await gus.context.setOffline(true)
  await gus.chat.send('Can I ask a question?')
  const queued = gus.chat.messages.filter({ hasText: 'Can I ask a question?' })
  await expect(queued).toHaveAttribute('data-state', 'pending')

  // Meanwhile Olga makes the lobby announcement-only, from the console.
  await olga.page.getByRole('link', { name: 'Organizer console' }).click()
  // A controlled switch: it shows checked once the server has answered.
  await olga.page.getByTestId('announcement-only').click()
  await expect(olga.page.getByTestId('announcement-only')).toBeChecked()

  // Back online: the queued message fails with the reason instead of vanishing; the composer says why.
  await gus.context.setOffline(false)
  gus.sockets!.restore()
  await expect(queued).toHaveAttribute('data-state', 'failed', { timeout: 30_000 })
  await expect(queued).toContainText('announcements only')
  await expect(gus.page.getByTestId('composer-closed')).toBeVisible()
  await expect(gus.chat.input).toHaveCount(0)
})
