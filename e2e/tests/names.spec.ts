import { expect, reloadOffline, test } from '../support/fixtures.ts'

/** More guests than the directory's first page (50 by name), so a late name is not among them. */
const CROWD = 60

test('a big event: senders beyond the directory’s first page are named, online and after an offline reload', async ({
  api,
  join,
}) => {
  const { event } = await api.createEvent('Stadium Concert')
  const { code } = await api.invite(event.id, { maxUses: CROWD + 1 })
  for (let i = 0; i < CROWD; i++) {
    await api.call('POST', '/api/auth/join', {
      body: { code, displayName: `Fan ${String(i).padStart(2, '0')}` },
    })
  }
  const ana = await join((await api.invite(event.id)).url, 'Ana', { cuttable: true })
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  // Joined last, named last: "Zoe" is on no first page of the directory.
  const zoe = await api.joinedGuest(event.id, 'Zoe Zimmermann')
  await api.call('POST', `/api/chat/conversations/${await lobbyOf(api, zoe.token)}/messages`, {
    token: zoe.token,
    body: { clientMessageId: crypto.randomUUID(), content: 'Hello from the back row' },
  })

  for (const who of [ana, ben]) {
    const message = who.chat.message('Hello from the back row')
    await expect(message.locator('.message-sender')).toHaveText('Zoe Zimmermann')
    await expect(who.chat.conversation('event')).toContainText('Zoe Zimmermann: Hello from the back row')
  }

  // The name is kept on the device: a reload with no network still shows it.
  await ana.context.setOffline(true)
  await ana.sockets!.cut()
  await reloadOffline(ana)
  await expect(ana.chat.banner).toHaveAttribute('data-state', 'offline')
  await expect(ana.chat.message('Hello from the back row').locator('.message-sender')).toHaveText(
    'Zoe Zimmermann',
  )
  ana.sockets!.restore()
  await ana.context.setOffline(false)
  await ana.chat.expectConnected()
})

async function lobbyOf(api: import('../support/fixtures.ts').Api, token: string): Promise<string> {
  const { conversations } = await api.call<{ conversations: { id: string; kind: string }[] }>(
    'GET',
    '/api/chat/conversations',
    { token },
  )
  return conversations.find((c) => c.kind === 'event')!.id
}
