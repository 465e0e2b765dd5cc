// @vitest-environment happy-dom
import { LIMITS } from '@secura/shared'
import { afterEach, describe, expect, it } from 'vitest'
import { useAppStore } from '../../store/index.ts'
import { addToDraft } from './draft.ts'
import { isAcceptedType, prepareUpload } from './prepareUpload.ts'

const CONVERSATION = '0190a3c0-0000-7000-8000-0000000000c1'
const draft = () => useAppStore.getState().attachmentDrafts[CONVERSATION] ?? []
const notice = () => useAppStore.getState().chatNotice
const file = (name: string, type: string, bytes = 10) =>
  new File([new Uint8Array(bytes).fill(65)], name, { type })

afterEach(() => {
  useAppStore.getState().clearDraftFiles(CONVERSATION)
  useAppStore.getState().setChatNotice(null)
})

describe('the attachment draft', () => {
  it('takes photos, PDFs and text files; a preview for images only', async () => {
    await addToDraft(CONVERSATION, [
      file('cat.gif', 'image/gif'),
      file('slides.pdf', 'application/pdf'),
      file('notes.txt', 'text/plain'),
    ])
    expect(draft().map((f) => [f.name, f.blob.size, f.previewUrl !== null])).toEqual([
      ['cat.gif', 10, true],
      ['slides.pdf', 10, false],
      ['notes.txt', 10, false],
    ])
    expect(notice()).toBeNull()
  })

  it('says at once what cannot go: a type the server refuses, an empty file, one over the size limit', async () => {
    await addToDraft(CONVERSATION, [
      file('setup.exe', 'application/x-msdownload'),
      file('empty.txt', 'text/plain', 0),
      new File([new Uint8Array(LIMITS.uploadBytes + 1)], 'film.pdf', { type: 'application/pdf' }),
      file('ok.txt', 'text/plain'),
    ])
    expect(draft().map((f) => f.name)).toEqual(['ok.txt'])
    expect(notice()).toBe(
      'setup.exe: only photos, PDF and text files can be sent. empty.txt is empty. film.pdf is larger than 20 MB',
    )
  })

  it('keeps to the files a message may carry, counting those already picked', async () => {
    await addToDraft(CONVERSATION, [file('a.txt', 'text/plain'), file('b.txt', 'text/plain')])
    const more = Array.from({ length: LIMITS.attachmentsPerMessage }, (_, i) =>
      file(`${i}.txt`, 'text/plain'),
    )
    await addToDraft(CONVERSATION, more)
    expect(draft()).toHaveLength(LIMITS.attachmentsPerMessage)
    expect(notice()).toBe(`A message can carry at most ${LIMITS.attachmentsPerMessage} photos or files`)
  })

  it('the chat stopping (sign-out) empties every draft', async () => {
    await addToDraft(CONVERSATION, [file('private.txt', 'text/plain')])
    useAppStore.getState().detachChatStorage()
    expect(useAppStore.getState().attachmentDrafts).toEqual({})
  })

  it('removing a file takes it out of the draft', async () => {
    await addToDraft(CONVERSATION, [file('a.txt', 'text/plain'), file('b.txt', 'text/plain')])
    useAppStore.getState().removeDraftFile(CONVERSATION, draft()[0]!.id)
    expect(draft().map((f) => f.name)).toEqual(['b.txt'])
  })
})

describe('prepareUpload', () => {
  it('leaves files, GIFs and images the browser cannot decode as they are', async () => {
    for (const original of [
      file('notes.txt', 'text/plain'),
      file('moving.gif', 'image/gif', 5_000_000),
      file('broken.jpg', 'image/jpeg', 5_000_000),
    ]) {
      const prepared = await prepareUpload(original)
      expect(prepared.blob).toBe(original)
      expect(prepared.name).toBe(original.name)
    }
  })

  it('accepts what the server may take; an unknown type is left to the server', () => {
    expect(
      ['image/heic', 'image/png', 'application/pdf', 'text/plain', ''].every((type) =>
        isAcceptedType({ type }),
      ),
    ).toBe(true)
    expect(['application/zip', 'text/html', 'video/mp4'].some((type) => isAcceptedType({ type }))).toBe(false)
  })
})
