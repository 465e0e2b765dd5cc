import type { DirectoryUser } from '@secura/shared'
import { expect, test } from '../support/fixtures.ts'

test('opening a conversation with unread messages: a "New messages" line, and a jump up to it', async ({
  api,
  join,
  shot,
}) => {
  const { event } = await api.createEvent('Late Night')
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  const ana = await api.joinedGuest(event.id, 'Ana')
  const { users } = await api.call<{ users: DirectoryUser[] }>('GET', '/api/chat/users?q=Ben', {
    token: ana.token,
  })
  const direct = await api.call<{ id: string }>('POST', '/api/chat/conversations', {
    token: ana.token,
    body: { kind: 'direct', userId: users[0]!.id },
  })
  for (let i = 1; i <= 20; i++) {
    await api.call('POST', `/api/chat/conversations/${direct.id}/messages`, {
      token: ana.token,
      body: { clientMessageId: crypto.randomUUID(), content: `line ${i}` },
    })
  }
  const item = ben.chat.conversation('direct', 'Ana')
  await expect(item.getByTestId('unread-badge')).toHaveAttribute('data-count', '20')
  await expect(ben.page).toHaveTitle('(20) Late Night · Secura Chat')

  await item.click()
  await expect(ben.chat.message('line 20')).toBeVisible()
  const jump = ben.page.getByTestId('jump-unread')
  await expect(jump).toBeVisible()
  await jump.click()
  const divider = ben.page.getByTestId('new-messages-divider')
  await expect(divider).toBeInViewport()
  // The line sits right above the first unread message, and stays there once everything is read.
  await expect(divider.locator('xpath=following-sibling::*[1]')).toContainText('line 1')
  await expect(jump).toHaveCount(0)
  await shot(ben.page, 'new-messages-divider')
  await expect(ben.page).toHaveTitle('Late Night · Secura Chat')
  await expect(divider).toBeVisible()

  // The selected row keeps its avatar circle; the group search has the app's focus ring.
  await ben.page.getByRole('button', { name: 'New group' }).click()
  await ben.page.getByTestId('directory-search').fill('An')
  await shot(ben.page, 'group-search-focus')
})
