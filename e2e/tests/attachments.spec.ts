import type { Page } from '@playwright/test'
import { storedInConversation } from '../support/database.ts'
import { expect, type Person, reloadOffline, test } from '../support/fixtures.ts'

/** A picture drawn in the page: the bytes of a real JPEG or PNG, for the file picker. */
async function picture(page: Page, width: number, height: number, type = 'image/jpeg'): Promise<Buffer> {
  const base64 = await page.evaluate(
    ({ width, height, type }) => {
      const canvas = document.createElement('canvas')
      canvas.width = width
      canvas.height = height
      const context = canvas.getContext('2d')!
      const gradient = context.createLinearGradient(0, 0, width, height)
      gradient.addColorStop(0, '#2a6')
      gradient.addColorStop(1, '#fc3')
      context.fillStyle = gradient
      context.fillRect(0, 0, width, height)
      context.fillStyle = '#235'
      context.fillRect(width / 4, height / 4, width / 2, height / 2)
      return canvas.toDataURL(type, 0.9).split(',')[1]!
    },
    { width, height, type },
  )
  return Buffer.from(base64, 'base64')
}

const pending = (who: Person) => who.page.locator('[data-testid="message"][data-state="pending"]')
const failed = (who: Person) => who.page.locator('[data-testid="message"][data-state="failed"]')
/** Whether every thumbnail in the locator's messages has loaded (its pixels came from the server). */
const thumbsLoaded = (who: Person, text: string) =>
  who.chat
    .message(text)
    .getByTestId('attachment-thumb')
    .evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth > 0))

test('a phone-sized guest attaches a photo offline, reloads, comes back online: the other browser sees one image', async ({
  api,
  join,
  shot,
}) => {
  const { event, lobby } = await api.createEvent('Photo Walk')
  const ana = await join((await api.invite(event.id)).url, 'Ana', { cuttable: true, phone: true })
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  await ben.chat.send('Send us a picture!')
  await expect(ana.chat.message('Send us a picture!')).toBeVisible()
  await expect.poll(() => ana.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
  // Uploads the server took (attempts while offline fail on the way and are not counted).
  const uploads: string[] = []
  ana.context.on('response', (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/attachments') && r.status() === 201)
      uploads.push(r.url())
  })
  const photo = await picture(ana.page, 800, 600)

  await ana.context.setOffline(true)
  await ana.sockets!.cut()
  await expect(ana.chat.banner).toHaveAttribute('data-state', 'offline')
  await ana.page
    .getByTestId('attach-input')
    .setInputFiles({ name: 'hut.jpg', mimeType: 'image/jpeg', buffer: photo })
  await expect(ana.page.getByTestId('draft-file')).toHaveCount(1)
  await ana.chat.input.fill('The view from the hut')
  await shot(ana.page, 'attachment-draft-phone')
  await ana.chat.input.press('Enter')
  await expect(ana.page.getByTestId('draft-file')).toHaveCount(0)
  await expect(pending(ana).getByTestId('pending-file')).toHaveCount(1)

  // A reload with no network: the photo is still there, from the outbox's own bytes.
  await reloadOffline(ana)
  await expect(ana.chat.banner).toHaveAttribute('data-state', 'offline')
  const preview = pending(ana).getByTestId('pending-file').locator('img')
  await expect(preview).toBeVisible()
  await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(800)
  await expect(pending(ana).locator('.message-text')).toHaveText('The view from the hut')
  // At phone width nothing overflows sideways.
  expect(await ana.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  expect(uploads).toEqual([])
  await shot(ana.page, 'attachment-pending-phone')

  ana.sockets!.restore()
  await ana.context.setOffline(false)
  await ana.chat.expectConnected()
  for (const who of [ana, ben]) {
    const message = who.chat.message('The view from the hut')
    await expect(message.getByTestId('attachment-thumb')).toHaveCount(1, { timeout: 30_000 })
    await expect.poll(() => thumbsLoaded(who, 'The view from the hut')).toEqual([true])
  }
  await shot(ben.page, 'attachment-received')
  await expect(pending(ana)).toHaveCount(0)

  // Stored once: one message, one attachment (no second upload left unsent), uploaded once.
  const reader = await api.joinedGuest(event.id, 'Reader')
  const history = async () =>
    (await api.history(reader.token, lobby.id)).filter((m) => m.content === 'The view from the hut')
  const [stored, ...more] = await history()
  expect(more).toEqual([])
  expect(stored?.attachments).toEqual([
    expect.objectContaining({ kind: 'image', name: 'hut.webp', width: 800, height: 600 }),
  ])
  // Ben's question and Ana's photo: nothing else in the conversation.
  const everything = async () => (await api.history(reader.token, lobby.id)).length
  expect(await storedInConversation(lobby.id, everything)).toEqual({ messages: 2, attachments: 1 })
  expect(uploads).toHaveLength(1)
})

test('paste and drop add to the next message, a huge photo is made smaller, a file can be removed', async ({
  api,
  join,
}) => {
  const { event, lobby } = await api.createEvent('Paste and Drop')
  const ana = await join((await api.invite(event.id)).url, 'Ana')
  const ben = await join((await api.invite(event.id)).url, 'Ben')
  const small = (await picture(ana.page, 320, 200, 'image/png')).toString('base64')
  const huge = (await picture(ana.page, 3200, 2400, 'image/png')).toString('base64')

  // Paste an image from the clipboard into the input.
  await ana.chat.input.focus()
  await ana.chat.input.evaluate((input, png) => {
    const data = new DataTransfer()
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0))
    data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }))
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, small)
  await expect(ana.page.getByTestId('draft-file')).toHaveCount(1)

  // Drop a huge photo and a text file onto the conversation.
  await ana.page.getByTestId('timeline').evaluate((timeline, png) => {
    const data = new DataTransfer()
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0))
    data.items.add(new File([bytes], 'huge.png', { type: 'image/png' }))
    data.items.add(new File(['Bring a torch.\n'], 'list.txt', { type: 'text/plain' }))
    for (const type of ['dragenter', 'dragover', 'drop'])
      timeline.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }))
  }, huge)
  await expect(ana.page.getByTestId('draft-file')).toHaveCount(3)
  // Drawn smaller on the device (2560 px at most) and sent as JPEG; the text file as it is.
  const drawn = ana.page.getByRole('img', { name: 'huge.jpg' })
  await expect.poll(() => drawn.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(2560)
  await expect(ana.page.getByTestId('draft-file').filter({ hasText: 'list.txt' })).toBeVisible()

  await ana.page.getByRole('button', { name: 'Remove pasted.png' }).click()
  await expect(ana.page.getByTestId('draft-file')).toHaveCount(2)
  await ana.page.getByTestId('send-button').click()

  const message = ben.page
    .getByTestId('timeline')
    .getByTestId('message')
    .filter({
      has: ben.page.getByTestId('attachment-file'),
    })
  await expect(message.getByTestId('attachment-thumb')).toHaveCount(1, { timeout: 30_000 })
  await expect(message.getByTestId('attachment-file')).toContainText('list.txt')
  await expect(message.locator('.message-text')).toHaveCount(0)

  const reader = await api.joinedGuest(event.id, 'Reader')
  const [stored, ...more] = (await api.history(reader.token, lobby.id)).filter((m) => m.attachments?.length)
  expect(more).toEqual([])
  expect(stored?.content).toBe('')
  // The server keeps the name, with the extension of what it serves (WebP).
  expect(stored?.attachments?.map((a) => a.name)).toEqual(['huge.webp', 'list.txt'])
  const photo = stored?.attachments?.[0]
  expect(Math.max(photo?.width ?? 0, photo?.height ?? 0)).toBeLessThanOrEqual(2048)
})

test('an upload can be cancelled, and a refused file offers retry and discard', async ({ api, join }) => {
  const { event, lobby } = await api.createEvent('Cancel and Refuse')
  const ana = await join((await api.invite(event.id)).url, 'Ana', { phone: true })
  const photo = await picture(ana.page, 640, 480)

  // The upload hangs (a slow network): cancelling it takes the message away, and nothing is stored.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  await ana.page.route('**/attachments', async (route) => {
    await held
    await route.abort().catch(() => undefined)
  })
  await ana.page
    .getByTestId('attach-input')
    .setInputFiles({ name: 'slow.jpg', mimeType: 'image/jpeg', buffer: photo })
  await ana.page.getByTestId('send-button').click()
  await expect(pending(ana).getByTestId('pending-file')).toHaveCount(1)
  await pending(ana).getByRole('button', { name: 'Cancel slow.jpg' }).click()
  await expect(pending(ana)).toHaveCount(0)
  release()
  await ana.page.unroute('**/attachments')

  // Bytes that are not what they claim: the server refuses them, and the message says so.
  const binary = Buffer.from([0x00, 0x01, 0x02, 0x7f, 0x1b, 0x00, 0xff, 0xfe, 0x00, 0x10])
  await ana.page
    .getByTestId('attach-input')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: binary })
  await ana.chat.send('My notes')
  await expect(failed(ana)).toHaveCount(1, { timeout: 30_000 })
  await expect(failed(ana).locator('.failed-reason')).toContainText('notes.txt')
  await expect(failed(ana).getByTestId('retry-message')).toBeVisible()
  await failed(ana).getByTestId('discard-message').click()
  await expect(failed(ana)).toHaveCount(0)

  const reader = await api.joinedGuest(event.id, 'Reader')
  const history = () => api.history(reader.token, lobby.id)
  expect(await history()).toEqual([])
  expect(await storedInConversation(lobby.id, async () => (await history()).length)).toEqual({
    messages: 0,
    attachments: 0,
  })
})
