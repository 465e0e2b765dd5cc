import { type Conversation, LIMITS } from '@secura/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeServer } from './testing/fake-server.ts'
import { type Client, createClient, ME, OTHER, sleep, uniqueDb, waitFor } from './testing/harness.ts'
import type { LocalMessage } from './types.ts'

const uploadPath = /\/attachments$/
const sendPath = /\/messages$/
const photo = (name = 'photo.jpg', bytes = 1000) => ({
  blob: new Blob([new Uint8Array(bytes).fill(7)], { type: 'image/jpeg' }),
  name,
})
const sent = (list: LocalMessage[]) => list.filter((m) => m.state === 'sent')
const queued = (list: LocalMessage[]) => list.filter((m) => m.state !== 'sent')

/** Messages with photos and files: the bytes wait in the IndexedDB outbox, are uploaded once, then sent once. */
describe('outbox with files', () => {
  let server: FakeServer
  let conversation: Conversation
  const clients: Client[] = []

  async function started(db: string, reachable = true) {
    const c = createClient(server, { db })
    clients.push(c)
    c.socket.reachable = reachable
    c.http.down = !reachable
    c.network.online = reachable
    await c.storage.start()
    return c
  }

  const online = (c: Client) => {
    c.http.down = false
    c.socket.reachable = true
    c.network.set(true)
  }

  beforeEach(() => {
    server = new FakeServer()
    conversation = server.addConversation([ME, OTHER])
  })

  afterEach(() => {
    for (const c of clients.splice(0)) c.storage.stop()
  })

  it('a photo written offline survives a reload as bytes, then goes once: one upload, one message', async () => {
    const db = uniqueDb()
    const first = await started(db, false)
    await first.storage.send(conversation.id, '', undefined, undefined, [photo('hut.jpg', 2048)])
    const [pending] = queued(first.messages(conversation.id))
    expect(pending).toMatchObject({ state: 'pending', content: '', files: [{ name: 'hut.jpg', size: 2048 }] })
    first.storage.stop()

    const second = await started(db, false)
    const [reloaded] = queued(second.messages(conversation.id))
    expect(reloaded?.state === 'pending' && reloaded.files?.[0]).toMatchObject({
      name: 'hut.jpg',
      type: 'image/jpeg',
      size: 2048,
      uploaded: false,
    })
    const blob = reloaded?.state === 'pending' ? reloaded.files?.[0]?.blob : undefined
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(new Uint8Array(2048).fill(7))
    expect(second.http.count('POST', uploadPath)).toBe(0)

    online(second)
    const [message] = await waitFor('sent', () => {
      const list = sent(second.messages(conversation.id))
      return second.snapshot().outboxSize === 0 && list.length === 1 && list
    })
    expect(message).toMatchObject({ content: '', attachments: [{ name: 'hut.jpg', size: 2048 }] })
    expect(server.log.filter((l) => l.startsWith('upload') || l.startsWith('send'))).toEqual([
      'upload hut.jpg',
      expect.stringMatching(/^send /),
    ])
    expect([...server.uploads.values()].map((u) => u.messageId)).toEqual([
      message!.state === 'sent' && message!.id,
    ])
    expect(second.snapshot().uploads).toEqual({})
  })

  it('an upload that got its answer is not made again when the send itself has to wait', async () => {
    const db = uniqueDb()
    const first = await started(db)
    await waitFor('connected', () => first.socket.connected)
    first.socket.acks = 'lost'
    first.http.fail('POST', sendPath, { code: 'UNAVAILABLE', status: 503 }, 100)
    await first.storage.send(conversation.id, 'the view', undefined, undefined, [
      photo('a.jpg'),
      photo('b.jpg'),
    ])
    await waitFor('uploaded', () => server.uploads.size === 2 && first.http.count('POST', sendPath) > 0)
    first.storage.stop()

    const second = await started(db)
    await waitFor(
      'sent',
      () => second.snapshot().outboxSize === 0 && sent(second.messages(conversation.id)).length,
    )
    expect(second.http.count('POST', uploadPath)).toBe(0)
    expect(server.uploads.size).toBe(2)
    const [message] = sent(second.messages(conversation.id))
    expect(message?.state === 'sent' && message.attachments?.map((a) => a.name)).toEqual(['a.jpg', 'b.jpg'])
  })

  it('an upload whose answer was lost is made again with the same key: one upload, the message carries it', async () => {
    const client = await started(uniqueDb())
    await waitFor('connected', () => client.socket.connected)
    client.http.lostUploadAnswers = 1
    await client.storage.send(conversation.id, 'once', undefined, undefined, [photo()])
    const [message] = await waitFor(
      'sent',
      () =>
        client.snapshot().outboxSize === 0 &&
        sent(client.messages(conversation.id)).length === 1 &&
        sent(client.messages(conversation.id)),
    )
    expect(client.http.count('POST', uploadPath)).toBe(2)
    // The repeat named the file's key, so the server answered the upload it had made: nothing left unsent.
    const uploads = [...server.uploads.values()]
    expect(uploads).toHaveLength(1)
    expect(uploads[0]?.key).toEqual(expect.any(String))
    expect(uploads[0]?.messageId).not.toBeNull()
    expect(message?.state === 'sent' && message.attachments?.[0]?.id).toBe(uploads[0]?.attachment.id)
    expect(server.log.filter((l) => l.startsWith('send'))).toHaveLength(1)
  })

  it('uploads the server no longer has (a message held past their sweep) are made again, then it goes', async () => {
    const client = await started(uniqueDb())
    await waitFor('connected', () => client.socket.connected)
    client.socket.acks = 'lost'
    client.http.fail('POST', sendPath, { code: 'UNAVAILABLE', status: 503 }, 1)
    await client.storage.send(conversation.id, 'late', undefined, undefined, [photo('old.jpg')])
    await waitFor('uploaded', () => server.uploads.size === 1)
    // Swept while the message waited.
    const firstUpload = [...server.uploads.keys()][0]!
    server.uploads.delete(firstUpload)
    client.socket.acks = 'auto'
    const [message] = await waitFor(
      'sent',
      () => sent(client.messages(conversation.id)).length === 1 && sent(client.messages(conversation.id)),
    )
    expect(message?.state === 'sent' && message.attachments?.map((a) => a.name)).toEqual(['old.jpg'])
    expect(message?.state === 'sent' && message.attachments?.[0]?.id).not.toBe(firstUpload)
    expect(client.http.count('POST', uploadPath)).toBe(2)
  })

  it('a refused file fails the message, naming the file; without it the message goes', async () => {
    const client = await started(uniqueDb())
    await waitFor('connected', () => client.socket.connected)
    client.http.fail('POST', uploadPath, { code: 'VALIDATION', status: 400 })
    await client.storage.send(conversation.id, 'look', undefined, undefined, [
      photo('virus.jpg'),
      photo('ok.jpg'),
    ])
    const failed = await waitFor('failed', () =>
      queued(client.messages(conversation.id)).find((m) => m.state === 'failed'),
    )
    expect(failed.state === 'failed' && failed.error?.message).toBe('virus.jpg: scripted VALIDATION')
    expect(server.log.filter((l) => l.startsWith('send'))).toHaveLength(0)

    const refused = failed.state === 'failed' ? failed.files?.find((f) => f.name === 'virus.jpg') : undefined
    await client.storage.removeFile(failed.clientMessageId, refused!.localId)
    await client.storage.retry(failed.clientMessageId)
    const [message] = await waitFor(
      'sent',
      () => sent(client.messages(conversation.id)).length === 1 && sent(client.messages(conversation.id)),
    )
    expect(message?.state === 'sent' && message.attachments?.map((a) => a.name)).toEqual(['ok.jpg'])
    expect(client.snapshot().outboxSize).toBe(0)
  })

  it('an upload in progress shows its progress; removing that file cancels it and the rest still goes', async () => {
    const client = await started(uniqueDb())
    await waitFor('connected', () => client.socket.connected)
    let release!: () => void
    client.http.uploadGate = new Promise((resolve) => (release = resolve))
    await client.storage.send(conversation.id, 'two photos', undefined, undefined, [
      photo('slow.jpg'),
      photo('next.jpg'),
    ])
    const [pending] = queued(client.messages(conversation.id))
    const slow = pending?.state === 'pending' ? pending.files?.[0] : undefined
    await waitFor('half sent', () => client.snapshot().uploads[slow!.localId] === 0.5)

    await client.storage.removeFile(pending!.clientMessageId, slow!.localId)
    release()
    const [message] = await waitFor(
      'sent',
      () => sent(client.messages(conversation.id)).length === 1 && sent(client.messages(conversation.id)),
    )
    expect(message?.state === 'sent' && message.attachments?.map((a) => a.name)).toEqual(['next.jpg'])
    expect(server.log.filter((l) => l.startsWith('upload'))).toEqual(['upload next.jpg'])
  })

  it('discarding a message during its upload cancels it: nothing is stored or sent', async () => {
    const client = await started(uniqueDb())
    await waitFor('connected', () => client.socket.connected)
    client.http.uploadGate = new Promise(() => undefined)
    await client.storage.send(conversation.id, '', undefined, undefined, [photo('never.jpg')])
    const [pending] = queued(client.messages(conversation.id))
    await waitFor('uploading', () => Object.keys(client.snapshot().uploads).length === 1)
    await client.storage.discard(pending!.clientMessageId)
    await sleep(50)
    expect(client.messages(conversation.id)).toEqual([])
    expect(server.uploads.size).toBe(0)
    expect(server.log.filter((l) => l.startsWith('send'))).toHaveLength(0)
    expect(client.snapshot().uploads).toEqual({})
  })

  it('removing the only file of a message without text discards it', async () => {
    const client = await started(uniqueDb(), false)
    await client.storage.send(conversation.id, '  ', undefined, undefined, [photo()])
    const [pending] = queued(client.messages(conversation.id))
    const file = pending?.state === 'pending' ? pending.files?.[0] : undefined
    await client.storage.removeFile(pending!.clientMessageId, file!.localId)
    await waitFor('gone', () => client.snapshot().outboxSize === 0)
    expect(client.messages(conversation.id)).toEqual([])
  })

  it('refuses, before anything is queued, too many files, a file over the limit, an empty file or nothing at all', async () => {
    const client = await started(uniqueDb(), false)
    const send = (files: { blob: Blob; name: string }[], text = '') =>
      client.storage.send(conversation.id, text, undefined, undefined, files)
    const many = Array.from({ length: LIMITS.attachmentsPerMessage + 1 }, (_, i) => photo(`${i}.jpg`, 10))
    await expect(send(many)).rejects.toMatchObject({ code: 'VALIDATION' })
    const huge = { blob: { size: LIMITS.uploadBytes + 1, type: 'image/jpeg' } as Blob, name: 'huge.jpg' }
    await expect(send([huge])).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('huge.jpg'),
    })
    await expect(send([{ blob: new Blob([]), name: 'empty.txt' }])).rejects.toMatchObject({
      code: 'VALIDATION',
    })
    await expect(send([], '   ')).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(client.snapshot().outboxSize).toBe(0)
  })
})
