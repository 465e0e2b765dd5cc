import type { Conversation, Message } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeServer } from './testing/fake-server.ts'
import { type Client, createClient, ME, OTHER, uniqueDb, waitFor } from './testing/harness.ts'
import type { LocalMessage } from './types.ts'

const say = (server: FakeServer, conversationId: string, content: string) =>
  server.send(OTHER, { conversationId, content, clientMessageId: crypto.randomUUID() }, 'socket').message
const seqs = (list: LocalMessage[] | undefined) => (list ?? []).map((m) => ('seq' in m ? m.seq : -1))
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('a window opened at a message far back', () => {
  let server: FakeServer
  let conversation: Conversation
  let sent: Message[]
  const clients: Client[] = []

  /** A client with the conversation open: its latest 50 (251–300) loaded. */
  async function opened() {
    const c = createClient(server, { db: uniqueDb() })
    clients.push(c)
    await c.storage.start()
    await waitFor('connected', () => c.socket.connected)
    await c.storage.openConversation(conversation.id)
    await waitFor('latest page', () => c.messages(conversation.id).length === 50)
    return c
  }
  const windowOf = (c: Client) => c.snapshot().windows[conversation.id]
  const historyGets = (c: Client) => c.http.count('GET', /\/messages\?/)

  beforeEach(() => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
    sent = range(1, 300).map((i) => say(server, conversation.id, `m${i}`))
  })

  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  it('loads one page around the message, apart from the latest, in one request', async () => {
    const c = await opened()
    const before = historyGets(c)
    await c.storage.openAround(conversation.id, { seq: 100 })
    await waitFor('window', () => windowOf(c))
    expect(historyGets(c) - before).toBe(1)
    expect(windowOf(c)).toMatchObject({ targetSeq: 100, hasOlder: true, hasNewer: true })
    expect(seqs(windowOf(c)?.messages)).toEqual(range(76, 125))
    expect(seqs(c.messages(conversation.id))).toEqual(range(251, 300))
    expect(c.snapshot().hasOlder[conversation.id]).toBe(true)
  })

  it('pages older into the window, and newer until it reaches the latest, then joins it without a gap', async () => {
    const c = await opened()
    await c.storage.openAround(conversation.id, { messageId: sent[99]!.id })
    await waitFor('window', () => windowOf(c))
    await c.storage.loadOlder(conversation.id)
    await waitFor('older', () => windowOf(c)?.messages.length === 100)
    expect(seqs(windowOf(c)?.messages)).toEqual(range(26, 125))
    expect(seqs(c.messages(conversation.id))).toEqual(range(251, 300))

    await c.storage.loadNewer(conversation.id)
    await waitFor('newer', () => windowOf(c)?.messages.length === 150)
    expect(seqs(windowOf(c)?.messages)).toEqual(range(26, 175))
    await c.storage.loadNewer(conversation.id)
    await waitFor('newer', () => windowOf(c)?.messages.length === 200)
    // 176–225 still leaves a hole below 251; the next page reaches it.
    await c.storage.loadNewer(conversation.id)
    await waitFor('joined', () => !windowOf(c))
    expect(seqs(c.messages(conversation.id))).toEqual(range(26, 300))
    expect(c.snapshot().hasOlder[conversation.id]).toBe(true)
    // The tail goes on from there: older pages continue below the window's first message.
    await c.storage.loadOlder(conversation.id)
    await waitFor('older', () => c.messages(conversation.id).length === 300)
    expect(seqs(c.messages(conversation.id))).toEqual(range(1, 300))
  })

  it('a message near the loaded ones needs no window: its page joins them at once', async () => {
    const c = await opened()
    await c.storage.openAround(conversation.id, { seq: 230 })
    await waitFor('joined', () => c.messages(conversation.id).length > 50)
    expect(windowOf(c)).toBeUndefined()
    expect(seqs(c.messages(conversation.id))).toEqual(range(206, 300))
    const gets = historyGets(c)
    // Already loaded: nothing to fetch.
    await c.storage.openAround(conversation.id, { seq: 260 })
    await c.storage.openAround(conversation.id, { messageId: sent[279]!.id })
    expect(historyGets(c)).toBe(gets)
    expect(windowOf(c)).toBeUndefined()
  })

  it('applies edits, deletes and reactions live to what the window shows; new messages go to the latest', async () => {
    const c = await opened()
    await c.storage.openAround(conversation.id, { seq: 100 })
    await waitFor('window', () => windowOf(c))
    server.edit(OTHER, sent[99]!.id, 'm100, edited')
    server.remove(OTHER, sent[100]!.id)
    server.react(OTHER, sent[98]!.id, '🎉', 'add')
    say(server, conversation.id, 'm301')
    await waitFor('edited', () => windowOf(c)?.messages.find((m) => m.content === 'm100, edited'))
    await waitFor('deleted', () =>
      windowOf(c)?.messages.some((m) => m.state === 'sent' && m.seq === 101 && m.deletedAt),
    )
    await waitFor('reacted', () =>
      windowOf(c)?.messages.some((m) => m.state === 'sent' && m.seq === 99 && m.reactions.length === 1),
    )
    await waitFor('new', () => seqs(c.messages(conversation.id)).at(-1) === 301)
    expect(seqs(windowOf(c)?.messages)).toEqual(range(76, 125))

    // Changed while the window was not followed (socket down): the sync brings them to it as well.
    c.socket.reachable = false
    c.socket.drop()
    server.edit(OTHER, sent[109]!.id, 'm110, edited offline')
    c.socket.reachable = true
    c.socket.up()
    await waitFor('synced', () => windowOf(c)?.messages.find((m) => m.content === 'm110, edited offline'))

    // Joined, the window keeps what it had applied.
    for (let i = 0; i < 4 && windowOf(c); i++) await c.storage.loadNewer(conversation.id)
    await waitFor('joined', () => !windowOf(c))
    const joined = c.messages(conversation.id)
    expect(seqs(joined)).toEqual(range(76, 301))
    expect(joined.find((m) => m.state === 'sent' && m.seq === 100)?.content).toBe('m100, edited')
    expect(joined.find((m) => m.state === 'sent' && m.seq === 101)?.content).toBe('')
  })

  it('leaving the window, or closing the conversation, shows the latest again', async () => {
    const c = await opened()
    await c.storage.openAround(conversation.id, { seq: 40 })
    await waitFor('window', () => windowOf(c))
    c.storage.leaveWindow(conversation.id)
    await waitFor('left', () => !windowOf(c))
    expect(seqs(c.messages(conversation.id))).toEqual(range(251, 300))

    await c.storage.openAround(conversation.id, { seq: 40 })
    await waitFor('window', () => windowOf(c))
    c.storage.closeConversation(conversation.id)
    await waitFor('closed', () => !windowOf(c))
    await c.storage.openConversation(conversation.id)
    expect(windowOf(c)).toBeUndefined()
  })

  it('a page that comes after the window was left is dropped; a message not there is NOT_FOUND', async () => {
    const c = await opened()
    c.http.delayMs = 30
    const opening = c.storage.openAround(conversation.id, { seq: 40 })
    await new Promise((resolve) => setTimeout(resolve, 5))
    c.storage.leaveWindow(conversation.id)
    await opening
    expect(windowOf(c)).toBeUndefined()
    c.http.delayMs = 0
    await expect(
      c.storage.openAround(conversation.id, { messageId: crypto.randomUUID() }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
