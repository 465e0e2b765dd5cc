import { expect, test } from '../support/fixtures.ts'

test('a mention picked with @ reaches the other browser as a chip and a mention badge', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Design Week')
  const ana = await join((await api.invite(event.id)).url, 'Ana Duarte')
  const ben = await join((await api.invite(event.id)).url, 'Ben')

  // Ben writes to Ana, mentions her from the menu of the conversation's members.
  await ben.page.getByTestId('new-direct').click()
  await ben.page.getByTestId('directory-user').filter({ hasText: 'Ana Duarte' }).click()
  await expect(ben.page.getByTestId('conversation-title')).toHaveText('Ana Duarte')
  await ben.chat.input.pressSequentially('Hello @an')
  const option = ben.page.getByTestId('mention-option')
  await expect(option).toHaveText(/@Ana Duarte/)
  await shot(ben.page, 'mention-menu')
  await ben.chat.input.press('Enter')
  await expect(ben.chat.input).toHaveValue('Hello @Ana Duarte ')
  await ben.chat.input.pressSequentially('where is hall B?')
  await ben.chat.input.press('Enter')
  await expect(ben.chat.message('where is hall B?').getByTestId('mention-chip')).toHaveText('@Ana Duarte')

  // Ana is in the lobby: the direct conversation shows the mention beside its unread count, after a reload too.
  // A toast tells her at once, the tab title counts it and the favicon wears a badge.
  const direct = ana.chat.conversation('direct', 'Ben')
  const toast = ana.page.getByTestId('toast')
  await expect(toast).toHaveAttribute('data-kind', 'mention')
  await expect(toast).toContainText('Ben mentioned you')
  await expect(toast).toContainText('where is hall B?')
  await shot(ana.page, 'mention-toast')
  await expect(direct.getByTestId('mention-badge')).toHaveAttribute('data-count', '1')
  await expect(direct.getByTestId('unread-badge')).toHaveAttribute('data-count', '1')
  await expect(ana.page).toHaveTitle('(1) Design Week · Secura Chat')
  await expect(ana.page.locator('link[rel="icon"]')).toHaveAttribute('href', '/favicon-unread.svg')
  await ana.page.reload()
  await expect(direct.getByTestId('mention-badge')).toHaveAttribute('data-count', '1')
  await expect(ana.page).toHaveTitle('(1) Design Week · Secura Chat')
  await shot(ana.page, 'mention-badge')

  // Opening it shows the chip, marked as hers, and reading clears the badge.
  await direct.click()
  const chip = ana.chat.message('where is hall B?').getByTestId('mention-chip')
  await expect(chip).toHaveText('@Ana Duarte')
  await expect(chip).toHaveClass(/mention-chip-me/)
  await expect(direct.getByTestId('mention-badge')).toHaveCount(0)
  await expect(ana.page).toHaveTitle('Design Week · Secura Chat')
  await expect(ana.page.locator('link[rel="icon"]')).toHaveAttribute('href', '/favicon.svg')

  // Text that only looks like a mention stays text: nobody was picked.
  await ana.chat.send('thanks @Ben!')
  await expect(ben.chat.message('thanks @Ben!')).toBeVisible()
  await expect(ben.chat.message('thanks @Ben!').getByTestId('mention-chip')).toHaveCount(0)
})

test('in the lobby the @ menu searches the event, and @here is offered to organizers only', async ({
  api,
  join,
}) => {
  const { event } = await api.createEvent('Open Day')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')
  const cleo = await join((await api.invite(event.id)).url, 'Cleo')
  const dan = await join((await api.invite(event.id)).url, 'Dan')
  // Dan looks at another conversation, so the lobby's messages stay unread for him.
  await dan.page.getByTestId('new-direct').click()
  await dan.page.getByTestId('directory-user').filter({ hasText: 'Olga' }).click()
  await expect(dan.page.getByTestId('conversation-title')).toHaveText('Olga')

  await cleo.chat.openLobby()
  await cleo.chat.input.pressSequentially('@')
  await expect(cleo.page.getByTestId('mention-option').filter({ hasText: 'Dan' })).toBeVisible()
  await expect(cleo.page.getByTestId('mention-option').filter({ hasText: '@here' })).toHaveCount(0)
  await cleo.chat.input.pressSequentially('da')
  await expect(cleo.page.getByTestId('mention-option')).toHaveText(['@Dan'])
  await cleo.chat.input.press('Enter')
  await cleo.chat.input.pressSequentially('see you')
  await cleo.chat.input.press('Enter')

  await olga.chat.openLobby()
  await olga.chat.input.pressSequentially('@he')
  await olga.page.getByTestId('mention-option').filter({ hasText: '@here' }).click()
  await olga.chat.input.pressSequentially('doors open')
  await olga.chat.input.press('Enter')
  await expect(olga.chat.message('doors open').getByTestId('mention-chip')).toHaveText('@here')

  // Mentioned once by Cleo, once by @here.
  await expect(dan.chat.conversation('event').getByTestId('mention-badge')).toHaveAttribute('data-count', '2')
})
