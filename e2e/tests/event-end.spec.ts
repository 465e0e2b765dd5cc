import { expect, test } from '../support/fixtures.ts'

test('the event ends and the composer is gone: removed with a typed name, ended with a typed name, told live', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Harbour Festival')
  const gus = await join((await api.invite(event.id)).url, 'Gus')
  await join((await api.invite(event.id)).url, 'Ray')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')
  await gus.chat.send('Lovely evening at the harbour')
  await expect(gus.chat.input).toBeVisible()

  // Removing a guest waits for their name, and the lobby says so, centred, with the names resolved.
  await olga.page.getByRole('link', { name: 'Organizer console' }).click()
  const row = olga.page.getByTestId('guest').filter({ hasText: 'Ray' })
  await row.getByTestId('remove-guest').click()
  const confirmRemove = row.getByTestId('confirm-remove-guest')
  await expect(confirmRemove).toBeDisabled()
  await row.getByTestId('remove-confirm-name').fill('Ra')
  await expect(confirmRemove).toBeDisabled()
  await row.getByTestId('remove-confirm-name').fill('Ray')
  await confirmRemove.click()
  await expect(gus.page.getByTestId('system-line')).toHaveText('Ray was removed by Olga')

  // Ending waits for the event's name too.
  const zone = olga.page.getByTestId('end-zone')
  const end = zone.getByTestId('end-event')
  await expect(end).toBeDisabled()
  await zone.getByLabel("Type the event's name to confirm").fill('Harbour')
  await expect(end).toBeDisabled()
  await zone.getByLabel("Type the event's name to confirm").fill('Harbour Festival')
  await end.click()
  await expect(olga.page.getByTestId('event-end-status')).toContainText('Ended')
  await expect(zone).toHaveCount(0)

  // The guest's open page turns read-only at once, without a reload: the notice in place of the composer.
  const notice = gus.page.getByTestId('event-ended-notice')
  await expect(notice).toContainText('The event has ended')
  await expect(gus.chat.input).toHaveCount(0)
  await expect(gus.chat.message('Lovely evening at the harbour')).toBeVisible()
  await shot(gus.page, 'event-ended')

  // Still so after a reload.
  await gus.page.reload()
  await expect(gus.page.getByTestId('event-ended-notice')).toBeVisible()
  await expect(gus.chat.input).toHaveCount(0)
})
