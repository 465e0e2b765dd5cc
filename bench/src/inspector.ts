// Memory of a server under test, read the same way for every target: over the V8 inspector (the server is
// started with --inspect on a free port), a full garbage collection first, then process.memoryUsage().
// Without the collection, heap figures swing by tens of MB with GC timing and hide a few KB per socket.
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'

/** The inspector's WebSocket URL, from the "Debugger listening on ws://…" line Node prints to stderr. */
export async function inspectorUrl(logFile: string, offset: number, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // Only what this process wrote: the log file may hold earlier runs of the same server.
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(
      readFileSync(logFile).subarray(offset).toString('utf8'),
    )
    if (m) return m[1]!
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no inspector URL in ${logFile}`)
}

export async function memoryAfterGc(url: string): Promise<{ rss: number; heapUsed: number }> {
  const ws = new WebSocket(url)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  let id = 0
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const mine = ++id
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString())
        if (msg.id !== mine) return
        ws.off('message', onMessage)
        if (msg.error) reject(new Error(msg.error.message))
        else resolve(msg.result)
      }
      ws.on('message', onMessage)
      ws.send(JSON.stringify({ id: mine, method, params }))
    })
  try {
    await call('HeapProfiler.collectGarbage')
    await call('HeapProfiler.collectGarbage')
    const r = await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })
    const m = JSON.parse(r.result.value)
    return { rss: m.rss, heapUsed: m.heapUsed }
  } finally {
    ws.close()
  }
}
