import { expect, test } from '../support/fixtures.ts'

test('a guest reports a message; the organizer mutes its author from the queue; the author sees why', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Film Night')
  const gus = await join((await api.invite(event.id)).url, 'Gus')
  const ana = await join((await api.invite(event.id)).url, 'Ana')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')

  await gus.chat.send('Spoilers: the butler did it')
  await expect(ana.chat.message('Spoilers: the butler did it')).toBeVisible()

  // Ana reports it, with a reason; her own messages offer no report.
  const message = ana.chat.message('Spoilers: the butler did it')
  await message.hover()
  await message.getByTestId('report-message').click()
  await message.getByRole('textbox', { name: /Why\?/ }).fill('Spoilers before the screening')
  await message.getByTestId('confirm-report').click()
  await expect(ana.page.getByText('Thank you: the organizers will look at it.')).toBeVisible()

  // The organizer's queue shows it; one click mutes the author.
  await olga.page.getByRole('link', { name: 'Organizer console' }).click()
  const report = olga.page.getByTestId('report').filter({ hasText: 'Spoilers: the butler did it' })
  await expect(report).toContainText('Reported by Ana')
  await expect(report).toContainText('Spoilers before the screening')
  await shot(olga.page, 'console-report-queue', { fullPage: true })
  await report.getByRole('button', { name: 'Mute author 1 h' }).click()
  await expect(olga.page.getByTestId('report')).toHaveCount(0)
  await expect(olga.page.getByTestId('moderation-entry').first()).toContainText('Olga muted Gus')

  // Gus sees why and until when.
  await expect(gus.page.getByTestId('muted-notice')).toContainText('Reported: Spoilers before the screening')
})
