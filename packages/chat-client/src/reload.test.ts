import type { Conversation } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeServer } from './testing/fake-server.ts'
import { type Client, createClient, ME, OTHER, sleep, uniqueDb, waitFor } from './testing/harness.ts'
import type { LocalMessage } from './types.ts'

const sendPath = /\/messages$/
const sent = (list: LocalMessage[]) => list.filter((m) => m.state === 'sent')

/** A tab reloads (or crashes) between writing a message to the outbox and the server's ack. */
describe('reload in the middle of a send', () => {
  let server: FakeServer
  let conversation: Conversation
  const clients: Client[] = []

  async function started(options: Parameters<typeof createClient>[1]) {
    const c = createClient(server, options)
    clients.push(c)
    await c.storage.start()
    return c
  }

  beforeEach(() => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
  })

  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  it('sends again with the same clientMessageId: one message', async () => {
    const db = uniqueDb()
    const first = await started({ db })
    await waitFor('connected', () => first.socket.connected)
    first.socket.acks = 'lost'
    await first.storage.send(conversation.id, 'survives')
    const attempt = await waitFor('first attempt', () =>
      first.socket.emitted.find((e) => e.event === 'message:send'),
    )
    const id = (attempt.payload as { clientMessageId: string }).clientMessageId
    first.storage.stop() // the tab reloads: the ack never comes
    await sleep(150) // past the ack timeout: a closed tab must not fall back to HTTP
    expect(first.http.count('POST', sendPath)).toBe(0)
    expect(server.stored(id)).toHaveLength(0)

    const second = createClient(server, { db })
    clients.push(second)
    second.socket.reachable = false
    await second.storage.start()
    // From IndexedDB, before any network.
    expect(second.messages(conversation.id)).toEqual([
      expect.objectContaining({ state: 'pending', clientMessageId: id, content: 'survives' }),
    ])
    second.socket.reachable = true
    second.socket.connect()
    await waitFor(
      'sent',
      () => second.snapshot().outboxSize === 0 && sent(second.messages(conversation.id)).length,
    )

    const resent = [
      ...second.socket.emitted.filter((e) => e.event === 'message:send').map((e) => e.payload),
      ...second.http.calls.filter((c) => c.method === 'POST' && sendPath.test(c.path)).map((c) => c.body),
    ]
    expect(resent.map((p) => (p as { clientMessageId: string }).clientMessageId)).toEqual([id])
    expect(server.stored(id)).toHaveLength(1)
    expect(second.messages(conversation.id)).toEqual([
      expect.objectContaining({ state: 'sent', clientMessageId: id }),
    ])
  })

  it('when the server had stored it, the replay is answered with the original', async () => {
    const db = uniqueDb()
    const first = await started({ db })
    await waitFor('connected', () => first.socket.connected)
    first.socket.acks = 'unacked'
    await first.storage.send(conversation.id, 'stored once')
    await waitFor('stored', () => server.messagesOf(conversation.id).length === 1)
    first.storage.stop()

    const second = await started({ db })
    await waitFor(
      'settled',
      () => second.snapshot().outboxSize === 0 && sent(second.messages(conversation.id)).length,
    )
    const [stored] = server.messagesOf(conversation.id)
    expect(server.stored(stored!.clientMessageId)).toHaveLength(1)
    expect(second.messages(conversation.id)).toEqual([
      expect.objectContaining({ id: stored!.id, state: 'sent' }),
    ])
  })

  // Found by the chaos harness (a client restarting while it sends): the message was written to the
  // outbox, then telling the other tabs threw on the closed channel, so send() rejected a message that
  // was delivered later anyway. A user told "not sent" writes it again: twice in the conversation.
  it('a send racing stop() resolves, since its message is in the outbox, and the next start sends it once', async () => {
    const db = uniqueDb()
    const first = await started({ db })
    const sending = first.storage.send(conversation.id, 'racing the stop')
    first.storage.stop()
    await expect(sending).resolves.toBeUndefined()

    const second = await started({ db })
    await waitFor(
      'sent',
      () => second.snapshot().outboxSize === 0 && sent(second.messages(conversation.id)).length,
    )
    expect(server.messagesOf(conversation.id).map((m) => m.content)).toEqual(['racing the stop'])
  })
})
