import { expect, test } from '../support/fixtures.ts'

test('message text is text: markup and script links show as typed, and no dialog ever fires', async ({
  api,
  join,
}) => {
  const { event } = await api.createEvent('Security Meetup')
  const mallory = await join((await api.invite(event.id)).url, 'Mallory')
  const victim = await join((await api.invite(event.id)).url, 'Victor')
  const fired: string[] = []
  for (const page of [mallory.page, victim.page]) {
    page.on('dialog', (dialog) => {
      fired.push(dialog.message())
      void dialog.dismiss()
      throw new Error(`a dialog fired: ${dialog.message()}`)
    })
  }

  const payloads = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(2)</script>',
    'javascript:alert(3)',
    '<a href="javascript:alert(4)">click me</a>',
  ]
  for (const text of payloads) await mallory.chat.send(text)

  for (const who of [mallory, victim]) {
    for (const text of payloads)
      await expect(who.chat.message(text).locator('.message-text')).toHaveText(text)
    const timeline = who.page.getByTestId('timeline')
    await expect(timeline.locator('img, script, iframe')).toHaveCount(0)
    await expect(timeline.locator('a[href^="javascript:"]')).toHaveCount(0)
    // The conversation list's preview is text too.
    await expect(who.chat.conversation('event')).toContainText('<a href="javascript:alert(4)">click me</a>')
  }
  // A dialog handler runs asynchronously: give any alert the time to fire before checking.
  await victim.page.waitForTimeout(500)
  expect(fired).toEqual([])
  expect(await victim.page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0)
})
