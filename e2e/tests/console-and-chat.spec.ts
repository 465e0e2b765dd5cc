import type { Page } from '@playwright/test'
import { expect, test } from '../support/fixtures.ts'

/** In the console, as the admin: a new invitation of this role for the selected event; returns its URL. */
async function createInvitation(console: Page, role: 'Guest' | 'Organizer'): Promise<string> {
  const links = console.locator('.invitation-link code.url')
  const before = await links.count()
  await console.getByRole('combobox', { name: 'Role' }).selectOption({ label: role })
  await console.getByRole('button', { name: 'Create invitations' }).click()
  await expect(links).toHaveCount(before + 1)
  // The newest invitation comes first.
  return (await links.first().textContent())!.trim()
}

test('an organizer sets up an event in the console; guests join by its invitations and chat live', async ({
  person,
  join,
  shot,
}) => {
  const admin = await person('Admin')
  const console = admin.page
  await console.goto('/admin')
  await console.getByRole('textbox', { name: 'Admin token' }).fill(process.env.E2E_ADMIN_TOKEN!)
  await console.getByRole('button', { name: 'Open the console' }).click()
  await console.getByRole('textbox', { name: 'Name', exact: true }).fill('Summer Gala')
  await console.getByRole('button', { name: 'Create event' }).click()
  await expect(console.getByRole('heading', { name: 'Summer Gala' })).toBeVisible()
  const guestUrl = await createInvitation(console, 'Guest')
  const organizerUrl = await createInvitation(console, 'Organizer')
  expect(guestUrl).toMatch(/\/join\/[A-Za-z0-9_-]{20,}$/)
  await expect(console.getByRole('img', { name: /QR code of the invitation/ }).first()).toBeVisible()
  // The suite's server runs on 127.0.0.1: the console warns that phones cannot open such links.
  await expect(console.getByText(/phones cannot\s+open them/)).toBeVisible()

  // The guest opens the invitation URL on a phone.
  const ana = await person('Ana', { phone: true })
  await ana.page.goto(guestUrl)
  await expect(ana.page.getByRole('heading', { name: 'Summer Gala' })).toBeVisible()
  await ana.page.getByLabel('Your display name').fill('Ana')
  await shot(ana.page, 'join-phone')
  await ana.page.getByRole('button', { name: 'Join the chat' }).click()
  await ana.chat.expectConnected()
  const olga = await join(organizerUrl, 'Olga')

  // The console lists both, with presence.
  await console.getByRole('button', { name: 'Refresh' }).click()
  await expect(console.getByTestId('guest-counts')).toHaveText('2 guests · 2 online')
  await expect(console.getByTestId('guest').filter({ hasText: 'Ana' })).toHaveAttribute(
    'data-status',
    'online',
  )
  await shot(console, 'console-desktop', { fullPage: true })

  // Messages both ways, live.
  await ana.chat.openLobby()
  await expect(olga.chat.page.getByTestId('conversation-title')).toHaveText('Lobby')
  await olga.chat.send('Welcome, everyone!')
  await expect(ana.chat.message('Welcome, everyone!')).toBeVisible()
  await ana.chat.send('Thanks Olga, happy to be here')
  await expect(olga.chat.message('Thanks Olga, happy to be here')).toBeVisible()
  await expect(olga.chat.message('Thanks Olga, happy to be here')).toContainText('Ana')

  // Typing shows, and clears when the text is cleared.
  await ana.chat.input.pressSequentially('I am wri')
  await expect(olga.page.getByTestId('typing-indicator')).toHaveText('Ana is typing…')
  await ana.chat.input.fill('')
  await expect(olga.page.getByTestId('typing-indicator')).toHaveCount(0)

  // Typing also clears on send.
  await olga.chat.input.pressSequentially('Drinks at 8')
  await expect(ana.page.getByTestId('typing-indicator')).toHaveText('Olga is typing…')
  await olga.chat.input.press('Enter')
  await expect(ana.page.getByTestId('typing-indicator')).toHaveCount(0)
  await expect(ana.chat.message('Drinks at 8')).toBeVisible()

  // Edit propagates.
  await olga.chat.act('Drinks at 8', 'edit-message')
  await olga.chat.input.fill('Drinks at 9')
  await olga.chat.input.press('Enter')
  await expect(ana.chat.message('Drinks at 9')).toContainText('edited')
  await expect(ana.chat.message('Drinks at 8')).toHaveCount(0)

  // A reaction propagates (a phone taps the message to show its actions).
  await olga.chat.act('Thanks Olga, happy to be here', 'add-reaction')
  await olga.page.getByRole('button', { name: 'React with thumbs up' }).click()
  const reaction = ana.chat.message('Thanks Olga, happy to be here').getByTestId('reaction')
  await expect(reaction).toHaveAttribute('data-emoji', '👍')
  await expect(reaction).toHaveAttribute('data-count', '1')

  // Delete propagates: a tombstone for both.
  await ana.chat.send('Oops, wrong chat')
  await expect(olga.chat.message('Oops, wrong chat')).toBeVisible()
  await ana.chat.message('Oops, wrong chat').click()
  await ana.chat.message('Oops, wrong chat').getByTestId('delete-message').click()
  await ana.page.getByTestId('confirm-delete').click()
  await expect(olga.chat.message('Oops, wrong chat')).toHaveCount(0)
  await expect.poll(() => olga.chat.texts()).toContain('message deleted')
  await expect.poll(() => ana.chat.texts()).toContain('message deleted')

  await shot(ana.page, 'lobby-phone')
  await shot(olga.page, 'lobby-desktop')

  // The console, left open all along, has caught up with both joins without a reload.
  for (const role of ['Guest', 'Organizer']) {
    await expect(
      console.locator('.invitation').filter({ hasText: role }).filter({ hasText: 'Used 1 of' }),
    ).toHaveCount(1, { timeout: 20_000 })
  }
  // Who redeemed each, and the live counts of the event list.
  await expect(console.getByTestId('redeemed-by').filter({ hasText: 'Ana' })).toHaveCount(1)
  await expect(console.getByTestId('event-counts').first()).toContainText('2 online', { timeout: 20_000 })

  // Deleting the event sits in the danger zone and waits for its name to be typed.
  const danger = console.getByTestId('danger-zone')
  const erase = danger.getByRole('button', { name: 'Delete this event' })
  await expect(erase).toBeDisabled()
  await danger.getByLabel("Type the event's name to confirm").fill('Summer')
  await expect(erase).toBeDisabled()
  await danger.getByLabel("Type the event's name to confirm").fill('Summer Gala')
  await expect(erase).toBeEnabled()
})
