import { expect, test } from '../support/fixtures.ts'

test('a guest signs out, gets a re-issued QR from the console, and is back with their history', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Open Day')
  const gus = await join((await api.invite(event.id)).url, 'Gus')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')
  await gus.chat.send('Where is room 4?')
  await expect(olga.chat.message('Where is room 4?')).toBeVisible()

  // Signing out asks first, and says what it means.
  await gus.page.getByRole('button', { name: 'Sign out' }).click()
  const confirm = gus.page.getByTestId('sign-out-confirm')
  await expect(confirm).toContainText('ask an organizer for a new link')
  await shot(gus.page, 'chat-sign-out-confirm')
  await gus.page.getByTestId('confirm-sign-out').click()
  await expect(gus.chat.input).toHaveCount(0)

  // The organizer re-issues Gus's access from the console: a new link and QR.
  await olga.page.getByRole('link', { name: 'Organizer console' }).click()
  const row = olga.page.getByTestId('guest').filter({ hasText: 'Gus' })
  await row.getByRole('button', { name: 'Re-issue access' }).click()
  const issued = row.getByTestId('reissued-access')
  await expect(issued.getByRole('img', { name: /QR code of Gus's new personal link/ })).toBeVisible()
  const url = (await issued.locator('code.url').textContent())!.trim()

  // The same Gus is back, with his history.
  await gus.page.goto(url)
  await gus.page.getByRole('button', { name: 'Join the chat' }).click()
  await gus.chat.openLobby()
  await expect(gus.chat.message('Where is room 4?')).toBeVisible()
  await expect(gus.chat.message('Where is room 4?')).toHaveClass(/message-own/)
})
