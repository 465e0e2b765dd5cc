import { expect, test } from '../support/fixtures.ts'

test('a direct message: unread badge for the receiver, "Seen by" for the sender once read', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Board Retreat')
  const ana = await join((await api.invite(event.id)).url, 'Ana')
  const ben = await join((await api.invite(event.id)).url, 'Ben')

  // Ana finds Ben in the directory and writes to him; Ben stays in the lobby.
  await ana.page.getByTestId('new-direct').click()
  await ana.page.getByTestId('directory-user').filter({ hasText: 'Ben' }).click()
  await expect(ana.page.getByTestId('conversation-title')).toHaveText('Ben')
  await ana.chat.send('Hi Ben, lunch later?')
  await ana.chat.send('The terrace, at one')

  const badge = ben.chat.conversation('direct', 'Ana').getByTestId('unread-badge')
  await expect(badge).toHaveAttribute('data-count', '2')
  await expect(ben.chat.conversation('direct', 'Ana')).toContainText('The terrace, at one')
  await expect(ana.page.getByTestId('seen-by')).toHaveCount(0)

  // Ben reads them: his badge goes, Ana sees that he has.
  await ben.chat.conversation('direct', 'Ana').click()
  await expect(ben.chat.message('The terrace, at one')).toBeVisible()
  await expect(badge).toHaveCount(0)
  await expect(ana.page.getByTestId('seen-by')).toHaveText('Seen by Ben')
  await expect(ana.chat.message('The terrace, at one').getByTestId('seen-by')).toBeVisible()

  // He answers; Ana has the conversation open, so no badge for her, and Ben sees that she read it.
  await ben.chat.send('Deal!')
  await expect(ana.chat.message('Deal!')).toBeVisible()
  await expect(ana.chat.conversation('direct', 'Ben').getByTestId('unread-badge')).toHaveCount(0)
  await expect(ben.chat.message('Deal!').getByTestId('seen-by')).toHaveText('Seen by Ana')

  // A new lobby message is unread for Ben, who is in the direct conversation.
  await ana.chat.openLobby()
  await ana.chat.send('See you all tonight')
  await expect(ben.chat.conversation('event').getByTestId('unread-badge')).toHaveAttribute('data-count', '1')
  await ben.chat.openLobby()
  await expect(ben.chat.conversation('event').getByTestId('unread-badge')).toHaveCount(0)

  await ana.chat.conversation('direct', 'Ben').click()
  await expect(ana.chat.message('Deal!')).toBeVisible()
  await shot(ana.page, 'dm-desktop')
})
