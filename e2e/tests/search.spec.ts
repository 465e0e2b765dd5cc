import { expect, test } from '../support/fixtures.ts'

test('search finds a message and jumps to it, far back in the history, and Back returns to the results', async ({
  api,
  join,
  shot,
}) => {
  // Enough later messages (120) that the target is pages back from what the lobby first loads.
  const { event, lobby, target } = await api.lobbyWithHistory(
    'Search Harbour',
    'The secret rendezvous is at the old lighthouse at nine',
    6,
  )

  const ana = await join((await api.invite(event.id)).url, 'Ana', { phone: true })
  await ana.page.goto('/')
  const box = ana.page.getByTestId('message-search')
  await box.fill('lighthouse rendez')
  const hit = ana.page.getByTestId('search-hit')
  await expect(hit).toHaveCount(1)
  await expect(hit).toContainText('Lobby')
  await expect(hit).toContainText('Ben')
  await expect(hit.locator('mark')).toHaveText(['rendezvous', 'lighthouse'])
  // The snippet is text: the page holds no markup from the message.
  await shot(ana.page, 'search-results-phone')

  await hit.click()
  await expect(ana.page).toHaveURL(new RegExp(`/c/${lobby.id}/m/${target.id}$`))
  const message = ana.page.getByTestId('timeline').locator(`[data-message-id="${target.id}"]`)
  await expect(message).toBeInViewport()
  await expect(message).toBeFocused()

  await ana.page.goBack()
  await expect(ana.page).toHaveURL(/\/$/)
  await expect(box).toHaveValue('lighthouse rendez')
  await expect(ana.page.getByTestId('search-hit')).toHaveCount(1)

  // Nothing found says so; clearing the box brings the conversations back.
  await box.fill('zeppelin')
  await expect(ana.page.getByText('No messages found for “zeppelin”.')).toBeVisible()
  await box.fill('')
  await expect(ana.page.getByTestId('conversation-item').first()).toBeVisible()
})
