import { expect, test } from '../support/fixtures.ts'

test('an organizer mutes a guest from the console; the guest sees why, and what they wrote waits until the restore', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Book Fair')
  const gus = await join((await api.invite(event.id)).url, 'Gus')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')

  // The organizer's console, from the chat: mute Gus for 10 minutes, with a reason.
  await olga.page.getByRole('link', { name: 'Organizer console' }).click()
  const row = olga.page.getByTestId('guest').filter({ hasText: 'Gus' })
  await row.getByRole('button', { name: 'Mute' }).click()
  await row.getByRole('textbox', { name: 'Reason (shown to the guest)' }).fill('Please keep it on topic')
  await row.getByRole('button', { name: 'Mute Gus' }).click()
  await expect(row.getByTestId('guest-muted')).toBeVisible()
  await expect(olga.page.getByTestId('moderation-entry').first()).toContainText('Olga muted Gus')

  // Gus is told at once, above the composer, and what he writes is held, not lost.
  const notice = gus.page.getByTestId('muted-notice')
  await expect(notice).toContainText('Please keep it on topic')
  await expect(notice).toContainText('You are muted until')
  await gus.chat.send('Anyone selling old maps?')
  const held = gus.chat.messages.filter({ hasText: 'Anyone selling old maps?' })
  await expect(held).toHaveAttribute('data-state', 'pending')
  await shot(gus.page, 'chat-muted')

  // Restored: the notice goes and the held message is delivered.
  await row.getByRole('button', { name: 'Restore' }).click()
  await expect(notice).toHaveCount(0)
  await expect(held).toHaveAttribute('data-state', 'sent')
  await olga.page.goBack()
  await olga.chat.openLobby()
  await expect(olga.chat.message('Anyone selling old maps?')).toBeVisible()
})
