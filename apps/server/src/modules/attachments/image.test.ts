import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createImageRenderer, type ImageRenderer } from './image.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secura-image-test-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))
const renderers: ImageRenderer[] = []
afterEach(() => {
  for (const renderer of renderers.splice(0)) renderer.close()
})
const renderer = (options: Parameters<typeof createImageRenderer>[0]) => {
  const created = createImageRenderer(options)
  renderers.push(created)
  return created
}

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
const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0)
  } catch {
    return false
  }
}

describe('the image renderer', () => {
  it('renders in its own process, one at a time: the others wait their turn, in order', async () => {
    const images = renderer({ concurrent: 1 })
    const source = await photoFile('a.jpg', 600)
    const order: number[] = []
    const renders = [0, 1, 2].map((n) =>
      images.render(source, outputs(`q${n}`), options).then((image) => {
        order.push(n)
        return image
      }),
    )
    expect(images.queued).toBe(2)
    const done = await Promise.all(renders)
    expect(order).toEqual([0, 1, 2])
    expect(done.map((i) => [i.width, i.height])).toEqual([
      [600, 600],
      [600, 600],
      [600, 600],
    ])
    expect(images.queued).toBe(0)
    expect(images.decoderPid).not.toBe(process.pid)
    expect(alive(images.decoderPid)).toBe(true)
    const meta = await sharp(outputs('q0').display).metadata()
    expect([meta.format, meta.width]).toEqual(['webp', 600])
  })

  it('a render whose request is gone leaves the queue without decoding; the next one goes on', async () => {
    const images = renderer({ concurrent: 1 })
    const source = await photoFile('b.jpg', 600)
    const running = images.render(source, outputs('first'), options)
    const gone = new AbortController()
    const abandoned = images.render(source, outputs('gone'), { ...options, signal: gone.signal })
    const after = images.render(source, outputs('after'), options)
    expect(images.queued).toBe(2)
    gone.abort()
    await expect(abandoned).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(images.queued).toBe(1)
    await Promise.all([running, after])
    expect(await exists(outputs('gone').display)).toBe(false)
    expect(await exists(outputs('after').display)).toBe(true)
    // Aborted before its turn: refused at once, without a place in the queue.
    await expect(
      images.render(source, outputs('late'), { ...options, signal: gone.signal }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(images.queued).toBe(0)
  })

  it('two at a time when asked: the third waits', async () => {
    const images = renderer({ concurrent: 2 })
    const source = await photoFile('c.jpg', 300)
    const renders = [0, 1, 2].map((n) => images.render(source, outputs(`two${n}`), options))
    expect(images.queued).toBe(1)
    await Promise.all(renders)
  })

  it("refusals come back as the image's fault: a bomb, a damaged file", async () => {
    const images = renderer({ concurrent: 1 })
    const source = await photoFile('d.jpg', 300)
    await expect(
      images.render(source, outputs('bomb'), { name: 'big.jpg', maxPixels: 1000 }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: { width: 300, height: 300, maxPixels: 1000 } })
    const cut = join(dir, 'cut.jpg')
    await writeFile(cut, (await sharp(source).toBuffer()).subarray(0, 2000))
    await expect(images.render(cut, outputs('cut'), { ...options, name: 'cut.jpg' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('cut.jpg'),
    })
  })

  it('the decoder exits when idle, and starts again with the next photo', async () => {
    const images = renderer({ concurrent: 1, idleMs: 50 })
    const source = await photoFile('e.jpg', 200)
    await images.render(source, outputs('idle1'), options)
    const first = images.decoderPid
    expect(alive(first)).toBe(true)
    for (let i = 0; i < 100 && alive(first); i++) await new Promise((r) => setTimeout(r, 50))
    expect(alive(first)).toBe(false)
    expect(images.decoderPid).toBeUndefined()
    await images.render(source, outputs('idle2'), options)
    expect(images.decoderPid).not.toBe(first)
  })

  it('a render over its time is refused and its decoder ended; the next one gets a new decoder', async () => {
    const images = renderer({ concurrent: 1, timeoutMs: 1 })
    const source = await photoFile('f.jpg', 600)
    await expect(images.render(source, outputs('slow'), options)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('took too long'),
    })
    const patient = renderer({ concurrent: 1 })
    expect((await patient.render(source, outputs('patient'), options)).width).toBe(600)
  })
})
