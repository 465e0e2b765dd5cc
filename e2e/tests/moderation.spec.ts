import { expect, test } from '../support/fixtures.ts'

test('an organizer deletes a guest’s message in the lobby; both see the tombstone', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Charity Run')
  const gus = await join((await api.invite(event.id)).url, 'Gus')
  const olga = await join((await api.invite(event.id, { role: 'organizer' })).url, 'Olga')

  await gus.chat.send('Buy cheap watches at spam.example')
  await olga.chat.send('Start line opens at 9')
  await expect(olga.chat.message('Buy cheap watches at spam.example')).toBeVisible()
  await expect(gus.chat.message('Start line opens at 9')).toBeVisible()

  // A guest may not delete someone else's message; the organizer may.
  await gus.chat.message('Start line opens at 9').hover()
  await expect(gus.chat.message('Start line opens at 9').getByTestId('delete-message')).toHaveCount(0)
  await olga.chat.deleteMessage('Buy cheap watches at spam.example')

  for (const who of [gus, olga]) {
    await expect(who.chat.message('Buy cheap watches at spam.example')).toHaveCount(0)
    await expect.poll(() => who.chat.texts()).toEqual(['removed by a moderator', 'Start line opens at 9'])
  }
  // The server has the tombstone: content emptied, deleted by the organizer.
  const reader = await api.joinedGuest(event.id, 'Reader')
  const lobby = (
    await api.call<{ conversations: { id: string; kind: string }[] }>('GET', '/api/chat/conversations', {
      token: reader.token,
    })
  ).conversations.find((c) => c.kind === 'event')!
  const [deleted] = await api.history(reader.token, lobby.id)
  expect(deleted).toMatchObject({ seq: 1, content: '', deletedAt: expect.any(String) })
  expect(deleted!.deletedBy).toEqual(expect.any(String))
  expect(deleted!.deletedBy).not.toBe(deleted!.senderId)

  // The organizer's console, reached from the chat: the guest list with presence.
  await olga.page.getByRole('link', { name: 'Organizer console' }).click()
  await expect(olga.page.getByRole('heading', { name: 'Who joined' })).toBeVisible()
  await expect(olga.page.getByTestId('guest').filter({ hasText: 'Gus' })).toHaveAttribute(
    'data-status',
    'online',
  )
  await expect(olga.page.getByTestId('guest-counts')).toContainText('3 guests')
  await shot(olga.page, 'console-organizer', { fullPage: true })
})
