import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createImageRenderer } from './image.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secura-image-test-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** A noisy photo: slow enough to decode that the others queue behind it. */
async function photoFile(name: string, side: number): Promise<string> {
  const path = join(dir, name)
  const noise = {
    width: side,
    height: side,
    channels: 3 as const,
    noise: { type: 'gaussian' as const, mean: 128, sigma: 60 },
  }
  await writeFile(
    path,
    await sharp({ create: { ...noise, background: '#808080' } })
      .jpeg()
      .toBuffer(),
  )
  return path
}
const outputs = (name: string) => ({
  display: join(dir, `${name}.display`),
  thumb: join(dir, `${name}.thumb`),
})
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )
const options = { name: 'p.jpg', maxPixels: 50_000_000 }

describe('the image renderer', () => {
  it('renders one at a time: the others wait their turn, in order, and all finish', async () => {
    const renderer = createImageRenderer(1)
    const source = await photoFile('a.jpg', 900)
    const order: number[] = []
    const renders = [0, 1, 2].map((n) =>
      renderer.render(source, outputs(`q${n}`), options).then((image) => {
        order.push(n)
        return image
      }),
    )
    expect(renderer.queued).toBe(2)
    const images = await Promise.all(renders)
    expect(order).toEqual([0, 1, 2])
    expect(images.map((i) => [i.width, i.height])).toEqual([
      [900, 900],
      [900, 900],
      [900, 900],
    ])
    expect(renderer.queued).toBe(0)
  })

  it('a render whose request is gone leaves the queue without decoding; the next one goes on', async () => {
    const renderer = createImageRenderer(1)
    const source = await photoFile('b.jpg', 900)
    const running = renderer.render(source, outputs('first'), options)
    const gone = new AbortController()
    const abandoned = renderer.render(source, outputs('gone'), { ...options, signal: gone.signal })
    const after = renderer.render(source, outputs('after'), options)
    expect(renderer.queued).toBe(2)
    gone.abort()
    await expect(abandoned).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(renderer.queued).toBe(1)
    await Promise.all([running, after])
    expect(await exists(outputs('gone').display)).toBe(false)
    expect(await exists(outputs('after').display)).toBe(true)
    // Aborted before its turn: refused at once, without a place in the queue.
    await expect(
      renderer.render(source, outputs('late'), { ...options, signal: gone.signal }),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    })
    expect(renderer.queued).toBe(0)
  })

  it('two at a time when asked: the third waits', async () => {
    const renderer = createImageRenderer(2)
    const source = await photoFile('c.jpg', 300)
    const renders = [0, 1, 2].map((n) => renderer.render(source, outputs(`two${n}`), options))
    expect(renderer.queued).toBe(1)
    await Promise.all(renders)
  })
})
