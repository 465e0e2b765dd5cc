// `pnpm --filter @secura/bench bench:uploads [clients] [megabytes]`: that many guests upload a photo of
// about that size at once to a fresh server (embedded database, files on disk); prints the throughput, each
// upload's time, and the server's RSS before, at its peak and after, and its image decoder's (a process of its
// own). Uploads are streamed to disk and images decoded one at a time, so memory must stay flat however many
// arrive together.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { memoryAfterGc } from './inspector.ts'

const clients = Number(process.argv[2] ?? 50)
const megabytes = Number(process.argv[3] ?? 5)
/** `text`: plain text files instead of photos, to tell the upload path's memory from the image decoder's. */
const kind = process.argv[4] === 'text' ? 'text' : 'photo'
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef'
const PORT = 3000 + Math.floor(Math.random() * 1000) + 1000
const url = `http://127.0.0.1:${PORT}`
const root = fileURLToPath(new URL('../../', import.meta.url))

/** A noisy photo (noise does not compress, so the file is as large as asked), made once. */
async function photo(): Promise<Buffer> {
  const side = Math.round(Math.sqrt((megabytes * 1024 * 1024) / 0.9))
  const noise = {
    width: side,
    height: side,
    channels: 3 as const,
    noise: { type: 'gaussian' as const, mean: 128, sigma: 60 },
  }
  return sharp({ create: { ...noise, background: '#808080' } })
    .jpeg({ quality: 92 })
    .toBuffer()
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
}

/** The server's image decoder (a child process it starts with the first photo and ends when idle): its RSS. */
async function decoderRssKb(serverPid: number): Promise<number> {
  const children = await readFile(`/proc/${serverPid}/task/${serverPid}/children`, 'utf8').catch(() => '')
  let total = 0
  for (const pid of children.split(' ').filter(Boolean).map(Number)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes('render-process')) total += await rssKb(pid)
  }
  return total
}

async function api(path: string, body: unknown, token?: string) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json() as Promise<any>
}

const dataDir = await mkdtemp(join(tmpdir(), 'secura-bench-uploads-'))
const server = spawn('node', ['--inspect=127.0.0.1:0', '--import', 'tsx', 'src/server.ts'], {
  cwd: join(root, 'apps/server'),
  env: {
    ...process.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    LIMIT_JOINS_PER_MIN: '100000',
    LIMIT_UPLOAD_BYTES: String((megabytes + 2) * 1024 * 1024),
  },
  stdio: ['ignore', 'inherit', 'pipe'],
})
/** The server's inspector, from the "Debugger listening on ws://…" line it prints (its stderr is passed on). */
const inspector = new Promise<string>((resolve) => {
  let seen = ''
  server.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk)
    seen += chunk.toString('utf8')
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(seen)
    if (m) resolve(m[1]!)
  })
})
try {
  for (let i = 0; ; i++) {
    // Generous: on a busy shared machine the server can take minutes to start.
    if (i > 1500 || server.exitCode !== null) throw new Error('server did not start')
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    await new Promise((r) => setTimeout(r, 200))
  }
  const bytes = kind === 'text' ? Buffer.alloc(megabytes * 1024 * 1024, 'secura chat\n') : await photo()
  const { event, lobby } = await api('/api/admin/events', { name: 'bench' }, ADMIN_TOKEN)
  const tokens: string[] = []
  for (let i = 0; i < clients; i++) {
    const { code } = await api(`/api/events/${event.id}/invitations`, {}, ADMIN_TOKEN)
    tokens.push((await api('/api/auth/join', { code, displayName: `Guest ${i}` })).token)
  }
  const pid = server.pid!
  // Creating the guests leaves garbage V8 collects when it gets round to it (hundreds of MB either way): a
  // full collection first (over the inspector), so that "before" and "peak" compare like with like.
  await memoryAfterGc(await inspector)
  const before = await rssKb(pid)
  let peak = before
  // The server and its decoder sampled together: their sum's peak is what the machine had to hold.
  let decoderPeak = 0
  let totalPeak = before
  const sampler = setInterval(async () => {
    const [server, decoder] = await Promise.all([rssKb(pid), decoderRssKb(pid)])
    peak = Math.max(peak, server)
    decoderPeak = Math.max(decoderPeak, decoder)
    totalPeak = Math.max(totalPeak, server + decoder)
  }, 50)
  const started = performance.now()
  const times = await Promise.all(
    tokens.map(async (token) => {
      const form = new FormData()
      const name = kind === 'text' ? 'notes.txt' : 'photo.jpg'
      form.append('file', new Blob([new Uint8Array(bytes)]), name)
      const t0 = performance.now()
      const res = await fetch(`${url}/api/chat/conversations/${lobby.id}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      })
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`)
      return performance.now() - t0
    }),
  )
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  await new Promise((r) => setTimeout(r, 500))
  const after = await rssKb(pid)
  const afterGc = (await memoryAfterGc(await inspector)).rss / 1024
  times.sort((a, b) => a - b)
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`
  console.log(
    [
      `${clients} uploads of ${(bytes.length / (1024 * 1024)).toFixed(1)} MB at once: ${seconds.toFixed(1)} s, ` +
        `${((clients * bytes.length) / (1024 * 1024) / seconds).toFixed(1)} MB/s`,
      `upload time p50 ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(1)} s, max ${(times.at(-1)! / 1000).toFixed(1)} s`,
      `server RSS before ${mb(before)} (after a full GC), peak ${mb(peak)}, after ${mb(after)} (${mb(afterGc)} after a full GC)`,
      `image decoder process RSS peak ${mb(decoderPeak)}, after ${mb(await decoderRssKb(pid))}; ` +
        `server + decoder peak ${mb(totalPeak)}`,
    ].join('\n'),
  )
} finally {
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  await rm(dataDir, { recursive: true, force: true })
}
