import { expect, test } from '../support/fixtures.ts'

test('phone to laptop: the add-a-device QR signs the laptop in as the same guest', async ({
  api,
  join,
  person,
  shot,
}) => {
  const { event } = await api.createEvent('Tech Meetup')
  const phone = await join((await api.invite(event.id)).url, 'Pia', { phone: true })
  // A phone that just joined lands in the lobby; "Add a device" is on the conversation list.
  await phone.page.getByRole('button', { name: 'Back to conversations' }).click()
  await phone.page.getByRole('button', { name: 'Add a device' }).click()
  const link = phone.page.getByTestId('device-link')
  await expect(link.getByRole('img', { name: 'QR code to sign in on another device' })).toBeVisible()
  await shot(phone.page, 'chat-add-device')
  const url = (await link.locator('code.url').textContent())!.trim()
  await phone.chat.openLobby()
  await phone.chat.send('Sent from my phone')
  await expect(phone.chat.message('Sent from my phone')).toHaveAttribute('data-state', 'sent')

  const laptop = await person('Pia on the laptop')
  await laptop.page.goto(url)
  await laptop.page.getByRole('button', { name: 'Join the chat' }).click()
  await laptop.chat.openLobby()
  await expect(laptop.chat.message('Sent from my phone')).toHaveClass(/message-own/)

  // One use only: the same link opened again is refused.
  const again = await person('Someone else')
  await again.page.goto(url)
  await expect(again.page.getByText(/already been used/)).toBeVisible()
})
