import { expect, test } from '../support/fixtures.ts'

test('a phone-sized first join lands in the lobby with a welcome line', async ({ api, join, shot }) => {
  const { event } = await api.createEvent('Harbour Festival of Lights')
  const ana = await join((await api.invite(event.id)).url, 'Ana', { phone: true })
  await expect(ana.page.getByTestId('conversation-title')).toHaveText('Lobby')
  // The long placeholder ("Message Harbour Festival of Lights") keeps the composer one line high.
  const input = await ana.chat.input.boundingBox()
  expect(input!.height).toBeLessThan(50)
  await expect(ana.page.getByTestId('welcome-line')).toContainText('New message')
  await expect(ana.page).toHaveURL(/\/c\/[0-9a-f-]{36}$/)
  await shot(ana.page, 'first-arrival-phone')
  // A later visit is not a first arrival: the phone shows the list.
  await ana.page.goto('/')
  await expect(ana.page.getByTestId('conversation-item').first()).toBeVisible()
  await expect(ana.page.getByTestId('welcome-line')).toHaveCount(0)
})

test('deep links open a conversation and a message in place, after a reload, with a working Back', async ({
  api,
  join,
}) => {
  const { event } = await api.createEvent('Deep Links')
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  const ana = await api.joinedGuest(event.id, 'Ana')
  const { users } = await api.call<{ users: { id: string }[] }>('GET', '/api/chat/users?q=Ben', {
    token: ana.token,
  })
  const direct = await api.call<{ id: string }>('POST', '/api/chat/conversations', {
    token: ana.token,
    body: { kind: 'direct', userId: users[0]!.id },
  })
  const sent: { id: string }[] = []
  for (let i = 1; i <= 15; i++) {
    sent.push(
      await api.call('POST', `/api/chat/conversations/${direct.id}/messages`, {
        token: ana.token,
        body: { clientMessageId: crypto.randomUUID(), content: `note ${i}` },
      }),
    )
  }

  // The lobby is open on a desktop; opening the direct conversation puts it in the address.
  const lobbyUrl = ben.page.url()
  expect(lobbyUrl).toMatch(/\/c\//)
  await ben.chat.conversation('direct', 'Ana').click()
  await expect(ben.page).toHaveURL(new RegExp(`/c/${direct.id}$`))
  await ben.page.reload()
  await expect(ben.page.getByTestId('conversation-title')).toHaveText('Ana')
  await ben.page.goBack()
  await expect(ben.page).toHaveURL(lobbyUrl)
  await expect(ben.page.getByTestId('conversation-title')).toHaveText('Lobby')

  // A link to one message brings it into view and focuses it.
  await ben.page.goto(`/c/${direct.id}/m/${sent[0]!.id}`)
  await expect(ben.page.getByTestId('conversation-title')).toHaveText('Ana')
  const first = ben.page.locator(`[data-message-id="${sent[0]!.id}"]`)
  await expect(first).toBeInViewport()
  await expect(first).toBeFocused()

  // A conversation of others says so.
  const cleo = await api.joinedGuest(event.id, 'Cleo')
  const theirs = await api.call<{ id: string }>('POST', '/api/chat/conversations', {
    token: cleo.token,
    body: { kind: 'direct', userId: ana.user.id },
  })
  await ben.page.goto(`/c/${theirs.id}`)
  await expect(ben.page.getByText('You cannot see this conversation')).toBeVisible()
})
