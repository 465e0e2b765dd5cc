import { expect, test } from '../support/fixtures.ts'

test('a muted conversation and quiet hours are kept by the server, across reloads', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Design Week')
  const ana = await join((await api.invite(event.id)).url, 'Ana')
  const mute = ana.page.getByTestId('mute-conversation')
  await expect(mute).toHaveAttribute('aria-pressed', 'false')
  await mute.click()
  await expect(mute).toHaveAttribute('aria-pressed', 'true')
  await expect(mute).toHaveText('Muted')

  // Stored by the server: after a reload, still muted.
  await ana.page.reload()
  await expect(ana.page.getByTestId('mute-conversation')).toHaveAttribute('aria-pressed', 'true')

  // Quiet hours, in the zone of this browser.
  await ana.page.getByTestId('notification-settings').click()
  const panel = ana.page.getByTestId('notification-panel')
  // 127.0.0.1 is a secure context: the device switch is offered (a real subscription needs a push service).
  await expect(panel.getByTestId('push-switch')).toBeVisible()
  await panel.getByLabel('Quiet hours').check()
  await panel.getByLabel('From', { exact: true }).fill('22:30')
  await panel.getByLabel('to', { exact: true }).fill('07:15')
  await panel.getByRole('button', { name: 'Save' }).click()
  await expect(panel.getByRole('status')).toHaveText('Saved')
  await shot(ana.page, 'notification-settings')
  await ana.page.reload()
  await ana.page.getByTestId('notification-settings').click()
  await expect(ana.page.getByLabel('Quiet hours')).toBeChecked()
  await expect(ana.page.getByLabel('From', { exact: true })).toHaveValue('22:30')
  await expect(ana.page.getByLabel('to', { exact: true })).toHaveValue('07:15')
})
